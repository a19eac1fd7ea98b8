#!/usr/bin/env bash
# gen_screen_pairs.sh — builds data/screen/pairs_generated.tsv, the generated part
# of the labelled name-pair set used by bench/bench_screen_pairs (precision and
# recall of `warden match-names`). Only bash and awk (mawk or gawk): no python.
#
# Source names: organisation entries of the OFAC SDN (2019) and consolidated
# (2025) primary files in data/lists (type column empty = entity).
# Positives (label 1) are variants of one listed name:
#   legal   — legal form replaced by an equivalent spelling, added or removed
#   order   — two words swapped / first word moved to the end
#   typo    — one character substituted, deleted, inserted or transposed
#   typo2   — two typos in different words, or a typo plus a legal-form change
#   abbrev  — a word abbreviated (INTERNATIONAL -> INTL, NATIONAL -> NATL, ...)
#   punct   — case, punctuation, hyphens and spacing changed
# Negatives (label 0) are different parties that look alike:
#   shared  — two different listed names sharing a word and the same legal form
#   swap    — a listed name with its most distinctive word replaced by another
#             listed name's word (same legal form, same common words)
#   near    — neighbours in sorted order sharing a prefix of 4+ letters
# Pairs whose word sets contain one another are left out as ambiguous.
# The generator's legal-form and abbreviation tables are its own (not read from
# data/screen), so the matcher is not tested against its own vocabulary.
# Usage: scripts/gen_screen_pairs.sh [SEED] > data/screen/pairs_generated.tsv
# The checked-in file was made with mawk 1.3.4 (Debian 12); awk implementations
# differ in rand(), so another awk gives a different (equally valid) sample.
set -euo pipefail
export LC_ALL=C # sort order, hence the pairs, must not depend on the locale
cd "$(dirname "$0")/.."
seed=${1:-20261123}
L=data/lists
{
  awk -F'","' '$3 ~ /^-0- *$/ || $3 == "" { n = $2; print n }' \
    <(sed 's/^\([0-9]*\),"/\1","/; s/",-0- ,"/","-0- ","/g; s/",-0- ,/","-0- ",/g' "$L/ofac_sdn_2019.csv")
  awk -F'","' '$3 ~ /^-0- *$/ || $3 == "" { n = $2; print n }' \
    <(sed 's/^\([0-9]*\),"/\1","/; s/",-0- ,"/","-0- ","/g; s/",-0- ,/","-0- ",/g' "$L/ofac_cons_prim_2025.csv")
} | awk 'length($0) >= 6 && $0 !~ /"/' | sort -u |
awk -v seed="$seed" '
function rnd(n) { return int(rand() * n) + 1 }
function words(s, w,   n) { n = split(s, w, /[ ]+/); return n }
function join(w, n,   i, s) { s = w[1]; for (i = 2; i <= n; i++) s = s " " w[i]; return s }
function core(s,   t) { t = toupper(s); gsub(/[^A-Z0-9 ]/, " ", t); gsub(/ +/, " ", t); sub(/^ /, "", t); sub(/ $/, "", t); return t }
function legal_of(s,   i) { for (i = 1; i <= NL; i++) if (match(s, LRE[i])) return i; return 0 }
function strip_legal(s,   i) { for (i = 1; i <= NL; i++) if (match(s, LRE[i])) return substr(s, 1, RSTART - 1); return s }
function wordset(s, set,   w, n, i, k) { k = core(strip_legal(s)); n = split(k, w, " "); for (i = 1; i <= n; i++) set[w[i]] = 1; return n }
function contained(a, b,   A, B, x, na, nb, ina, inb) {
  split("", A); split("", B); na = wordset(a, A); nb = wordset(b, B)
  ina = 1; for (x in A) if (!(x in B)) ina = 0
  inb = 1; for (x in B) if (!(x in A)) inb = 0
  return ina || inb }
function typo(s, avoid,   w, n, i, k, t, p, c, tries) {
  n = words(strip_legal(s), w)
  for (tries = 0; tries < 10; tries++) {
    i = rnd(n); t = w[i]; if (i == avoid) continue
    if (length(t) < 5 || t !~ /^[A-Z]+$/) continue
    p = rnd(length(t) - 2) + 1; c = substr("ABCDEFGHIJKLMNOPRSTUVWY", rnd(23), 1); k = rnd(4)
    if (k == 1) t = substr(t, 1, p - 1) c substr(t, p + 1)
    else if (k == 2) t = substr(t, 1, p - 1) substr(t, p + 1)
    else if (k == 3) t = substr(t, 1, p) c substr(t, p + 1)
    else t = substr(t, 1, p - 1) substr(t, p + 1, 1) substr(t, p, 1) substr(t, p + 2)
    if (t == w[i]) continue
    w[i] = t; TYPO_AT = i
    return join(w, n) substr(s, length(strip_legal(s)) + 1)
  }
  return "" }
function legal_change(s,   g, b, v, n, alts) {
  g = legal_of(s)
  b = strip_legal(s); sub(/[ ,]+$/, "", b)
  if (g == 0) { n = split(ANY, alts, "|"); return b " " alts[rnd(n)] }
  if (rand() < 0.25) return b
  if (LALT[g] == "@SAME") { match(s, LRE[g]); v = substr(s, RSTART, RLENGTH); gsub(/[.,]/, "", v); sub(/^ +/, "", v); return b " " v }
  n = split(LALT[g], alts, "|"); v = alts[rnd(n)]
  return b (v ~ /^,/ ? "" : " ") v }
function order(s,   w, n, b, i, t, rest, lead) {
  b = strip_legal(s); rest = substr(s, length(b) + 1); sub(/ +$/, "", b); lead = ""
  if (match(b, LEAD)) { lead = substr(b, 1, RLENGTH); b = substr(b, RLENGTH + 1) }
  gsub(/,/, "", b); n = words(b, w); if (n < 2) return ""
  for (i = 1; i <= n; i++) if (length(w[i]) < 2) return ""
  if (rand() < 0.5) { i = rnd(n - 1); t = w[i]; w[i] = w[i + 1]; w[i + 1] = t; return lead join(w, n) rest }
  t = w[1]; for (i = 1; i < n; i++) w[i] = w[i + 1]; w[n] = t; return lead join(w, n) rest }
function abbrev(s,   i, t) {
  for (i = 1; i <= NA; i++) { t = s; if (gsub(ARE[i], AREP[i], t) > 0) return t }
  return "" }
function punct(s,   t, k) {
  t = s; k = rnd(3)
  if (k == 1) { t = tolower(t); gsub(/[.,]/, "", t) }
  else if (k == 2) { gsub(/-/, " ", t); gsub(/[.]/, "", t); gsub(/ ,/, ",", t) }
  else { sub(/ /, "", t); t = substr(t, 1, 1) tolower(substr(t, 2)) }
  return t }
BEGIN {
  srand(seed)
  # generator legal forms: regex at the end of a name, and equivalent spellings
  NL = 0
  LRE[++NL] = ",? (CO\\.?,? ?LTD\\.?|COMPANY LIMITED|CO\\.?,? LIMITED)$"; LALT[NL] = "CO., LTD.|COMPANY LIMITED|CO LTD|Co., Limited"
  LRE[++NL] = ",? (PTE\\.? LTD\\.?|PRIVATE LIMITED)$";                  LALT[NL] = "PTE. LTD.|PTE LTD|PRIVATE LIMITED"
  LRE[++NL] = ",? (LIMITED|LTD\\.?)$";                                   LALT[NL] = "LIMITED|LTD|LTD."
  LRE[++NL] = ",? (L\\.?L\\.?C\\.?|LIMITED LIABILITY COMPANY)$";        LALT[NL] = "LLC|L.L.C.|LIMITED LIABILITY COMPANY"
  LRE[++NL] = ",? (INC\\.?|INCORPORATED)$";                              LALT[NL] = "INC|INC.|INCORPORATED"
  LRE[++NL] = ",? (CORP\\.?|CORPORATION)$";                              LALT[NL] = "CORP|CORP.|CORPORATION"
  LRE[++NL] = ",? (S\\.A\\. DE C\\.V\\.|SA DE CV)$";                     LALT[NL] = "S.A. DE C.V.|SA DE CV"
  LRE[++NL] = ",? (S\\.A\\.S\\.|SAS)$";                                  LALT[NL] = "S.A.S.|SAS"
  LRE[++NL] = ",? (S\\.A\\.|SA)$";                                        LALT[NL] = "S.A.|SA|SOCIEDAD ANONIMA"
  LRE[++NL] = ",? (GMBH|G\\.M\\.B\\.H\\.)$";                              LALT[NL] = "GMBH|GmbH|G.m.b.H."
  LRE[++NL] = ",? (JSC|OJSC|CJSC|PJSC|JOINT STOCK COMPANY)$";            LALT[NL] = "JSC|JOINT STOCK COMPANY|JOINT-STOCK COMPANY"
  LRE[++NL] = ",? (SDN\\.? BHD\\.?)$";                                    LALT[NL] = "SDN BHD|SDN. BHD.|SENDIRIAN BERHAD"
  LRE[++NL] = ",? (FZE|FZCO|FZC|FZ-LLC)$";                               LALT[NL] = "FZE|FZCO|FZC"
  LRE[++NL] = ",? (S\\.R\\.L\\.|SRL)$";                                   LALT[NL] = "S.R.L.|SRL"
  LRE[++NL] = ",? (B\\.V\\.|BV)$";                                        LALT[NL] = "B.V.|BV"
  LRE[++NL] = ",? (S\\.A\\.C\\.|SAC|C\\.A\\.|CA|LTDA\\.?|SAL|S\\.A\\.L\\.|OOO|ZAO|OAO|PAO|AO|CJSC|OJSC|PJSC|PLC|LLP|AG|SE|NV|N\\.V\\.)$"; LALT[NL] = "@SAME"
  LEAD = "^((OPEN |CLOSED |PUBLIC |PRIVATE )?JOINT[- ]STOCK COMPANY|LIMITED LIABILITY COMPANY|OOO|ZAO|OAO|PAO|AO|LLC|JSC|PJSC|OJSC|CJSC|FEDERAL STATE UNITARY ENTERPRISE) "
  GENERIC = " COMPANY CO CORPORATION CORP LIMITED LTD LTDA LLC INC BANK GROUP TRADING INTERNATIONAL FOUNDATION ORGANIZATION ASSOCIATION SOCIETY INDUSTRIES INDUSTRIAL HOLDING HOLDINGS INVESTMENT INVESTMENTS SERVICES GENERAL NATIONAL ISLAMIC REPUBLIC OF THE AND DE DEL LA LOS LAS Y JOINT STOCK PUBLIC OPEN CLOSED SOCIEDAD ANONIMA "
  ANY = "LTD|LIMITED|LLC|INC|CO., LTD.|CORP|S.A.|GMBH|JSC|PTE. LTD."
  NA = 0
  ARE[++NA] = "INTERNATIONAL"; AREP[NA] = "INTL"
  ARE[++NA] = "NATIONAL";      AREP[NA] = "NATL"
  ARE[++NA] = "CORPORATION";   AREP[NA] = "CORP"
  ARE[++NA] = "COMPANY";       AREP[NA] = "CO"
  ARE[++NA] = "TECHNOLOGY";    AREP[NA] = "TECH"
  ARE[++NA] = "TECHNOLOGIES";  AREP[NA] = "TECH"
  ARE[++NA] = "INDUSTRIES";    AREP[NA] = "IND"
  ARE[++NA] = "INDUSTRIAL";    AREP[NA] = "INDL"
  ARE[++NA] = "MANUFACTURING"; AREP[NA] = "MFG"
  ARE[++NA] = "ENGINEERING";   AREP[NA] = "ENGG"
  ARE[++NA] = "DEVELOPMENT";   AREP[NA] = "DEVT"
  ARE[++NA] = "SERVICES";      AREP[NA] = "SVCS"
  ARE[++NA] = "ASSOCIATION";   AREP[NA] = "ASSN"
  ARE[++NA] = "BROTHERS";      AREP[NA] = "BROS"
  ARE[++NA] = "MANAGEMENT";    AREP[NA] = "MGMT"
  ARE[++NA] = "INVESTMENT";    AREP[NA] = "INVT"
  ARE[++NA] = "SHIPPING";      AREP[NA] = "SHPG"
  ARE[++NA] = "TRADING";       AREP[NA] = "TRDG"
  ARE[++NA] = " AND ";         AREP[NA] = " \\& "
  ARE[++NA] = " & ";           AREP[NA] = " AND "
  ARE[++NA] = "GENERAL";       AREP[NA] = "GENL"
  ARE[++NA] = "ELECTRONICS";   AREP[NA] = "ELEC"
}
{ N++; name[N] = $0 }
END {
  P = 1250; NEG = 1250
  split("legal order typo typo2 abbrev punct", kinds, " ")
  made = 0
  while (made < P) {
    s = name[rnd(N)]; k = kinds[rnd(6)]; v = ""
    if (k == "legal") v = legal_change(s)
    else if (k == "order") v = order(s)
    else if (k == "typo") v = typo(s, 0)
    else if (k == "typo2") { v = typo(s, 0); if (v != "") { if (rand() < 0.5) v = legal_change(v); else v = typo(v, TYPO_AT) } }
    else if (k == "abbrev") v = abbrev(s)
    else v = punct(s)
    if (v == "" || v == s || core(v) == "") continue
    if (seen[s "\t" v]++) continue
    print s "\t" v "\t1\t" k; made++
  }
  # word index for shared-word negatives (words of 4+ letters, not legal forms)
  for (i = 1; i <= N; i++) {
    b = core(strip_legal(name[i])); n = split(b, w, " ")
    for (j = 1; j <= n; j++) if (length(w[j]) >= 4) { cnt[w[j]]++; idx[w[j], cnt[w[j]]] = i }
  }
  made = 0; guard = 0
  while (made < NEG && guard++ < 200000) {
    kind = rnd(3); a = name[rnd(N)]; b = ""
    if (kind == 1) {
      n = split(core(strip_legal(a)), w, " "); if (n < 2) continue
      x = w[rnd(n)]; if (length(x) < 4 || cnt[x] < 2) continue
      b = name[idx[x, rnd(cnt[x])]]
      if (legal_of(a) != legal_of(b)) continue
      k = "shared"
    } else if (kind == 2) {
      base = strip_legal(a); rest = substr(a, length(base) + 1)
      n = split(base, w, " "); if (n < 2) continue
      li = 0; for (j = 1; j <= n; j++) if (length(w[j]) >= 4 && w[j] ~ /^[A-Z]+$/ && index(GENERIC, " " w[j] " ") == 0 && (li == 0 || cnt[w[j]] < cnt[w[li]])) li = j
      if (li == 0) continue
      o = name[rnd(N)]; m = split(core(strip_legal(o)), ow, " "); y = ow[rnd(m)]
      if (length(y) < 4 || y == w[li] || index(GENERIC, " " y " ") > 0 || cnt[y] > 3) continue
      w[li] = y; b = join(w, n) rest
      k = "swap"
    } else {
      i = rnd(N - 1); a = name[i]; b = name[i + 1]
      if (substr(core(a), 1, 4) != substr(core(b), 1, 4)) continue
      k = "near"
    }
    if (b == "" || core(a) == core(b) || contained(a, b)) continue
    if (seen[a "\t" b]++) continue
    print a "\t" b "\t0\t" k; made++
  }
}'
