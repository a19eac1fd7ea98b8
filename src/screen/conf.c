/* conf.c — the `screen:` policy section: thresholds, weights and ownership rule
 * as a declared table (core/conf.h), so the policy loader validates it and
 * `warden config --dump` documents it. Defaults here are the measured ones
 * (bench/bench_screen_pairs). */
#include "screen/screen.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define OFF(f) offsetof(struct warden_screen_conf, f)

const struct warden_conf_key warden_screen_conf_table[] = {
    {"enabled", WARDEN_CONF_BOOL, "true", OFF(enabled),
     "`warden scan` screens every organisation of the registry (orgs.jsonl, and owners named in "
     "it) at start and flags their accounts with screen.* reasons",
     0, 0},
    {"data_dir", WARDEN_CONF_STRING, NULL, OFF(data_dir),
     "directory holding lists/lists.tsv (the list manifest) and screen/ (normalisation data); "
     "default: $WARDEN_DATA_DIR, ./data, or the source tree's data/",
     0, 0},
    {"match_threshold", WARDEN_CONF_DOUBLE, "0.86", OFF(match_threshold),
     "score at or above which a name is treated as the listed party", 0, 1},
    {"review_threshold", WARDEN_CONF_DOUBLE, "0.70", OFF(review_threshold),
     "weaker matches at or above this are reported as possible matches", 0, 1},
    {"country_bonus", WARDEN_CONF_DOUBLE, "0.03", OFF(country_bonus),
     "added when the query country is one of the listed party's countries", 0, 1},
    {"country_penalty", WARDEN_CONF_DOUBLE, "0.04", OFF(country_penalty),
     "taken when both sides have countries and none agree", 0, 1},
    {"country_penalty_short_word", WARDEN_CONF_DOUBLE, "0.08", OFF(country_penalty_short),
     "taken instead of country_penalty when all the names share is one word of six letters or "
     "fewer besides connecting words and common words of company names (\"Cone\" / \"CONE "
     "S.A.\"): short names are dense, so another country says more about them",
     0, 1},
    {"legal_form_bonus", WARDEN_CONF_DOUBLE, "0.01", OFF(legal_form_bonus),
     "added when both names carry the same legal-form class", 0, 1},
    {"legal_form_penalty", WARDEN_CONF_DOUBLE, "0.04", OFF(legal_form_penalty),
     "taken when both names carry legal forms of different classes", 0, 1},
    {"domain_bonus", WARDEN_CONF_DOUBLE, "0.15", OFF(domain_bonus),
     "added when the query domain is one of the listed party's domains", 0, 1},
    {"id_bonus", WARDEN_CONF_DOUBLE, "0.30", OFF(id_bonus),
     "added when a query identifier equals one of the listed party's", 0, 1},
    {"token_min_sim", WARDEN_CONF_DOUBLE, "0.80", OFF(token_min_sim),
     "least similarity for two differently spelt words to count as the same", 0, 1},
    {"ownership_threshold", WARDEN_CONF_DOUBLE, "50", OFF(ownership_threshold),
     "percent held in aggregate by restricted owners that restricts an organisation", 0, 100},
    {"jurisdiction_owners", WARDEN_CONF_BOOL, "false", OFF(jurisdiction_owners),
     "owners incorporated in a restricted jurisdiction count as restricted owners", 0, 0},
    {"restricted_jurisdictions", WARDEN_CONF_STRLIST, NULL, OFF(restricted_jurisdictions),
     "ISO 3166-1 alpha-2 codes of restricted jurisdictions (for jurisdiction_owners)", 0, 0},
    {"lists", WARDEN_CONF_STRLIST, NULL, OFF(lists),
     "names of the lists to screen against (data/lists/lists.tsv); empty means all", 0, 0},
    {"max_results", WARDEN_CONF_INT, "5", OFF(max_results), "matches reported per name", 1, 100},
    {"max_candidates", WARDEN_CONF_INT, "16", OFF(max_candidates),
     "candidate names scored per query and form of the name (from the token index)", 1, 160},
    {"compiled", WARDEN_CONF_STRING, NULL, OFF(compiled),
     "compiled list file from `warden lists build` / `warden lists update`; when set, screening "
     "maps it (milliseconds) instead of loading the lists from data_dir (seconds)",
     0, 0},
    {"qualifier_weight", WARDEN_CONF_DOUBLE, "0.2", OFF(qualifier_weight),
     "weight factor of qualifier words: countries, regions and branch words "
     "(data/screen/qualifiers.tsv) and words in parentheses, so \"X (Switzerland) AG\" still "
     "matches \"X AG\" with a slightly lower score; 1 weighs them as any word",
     0, 1},
    {"sibling_review", WARDEN_CONF_BOOL, "true", OFF(sibling_review),
     "names that share their core but each have a word the other lacks (\"X Trust\" / \"X "
     "Bank\", \"Fund III\" / \"Fund IV\", \"X (UK)\" / \"X (USA)\") are near siblings: scored "
     "just below match_threshold, so they are reported for review rather than as matches or "
     "dropped; false scores them like any other difference",
     0, 0},
    {"brand_match", WARDEN_CONF_BOOL, "true", OFF(brand_match),
     "a single distinctive word (a brand: \"Acme\", \"Hikvision\") matches a full name whose "
     "most distinctive word it is (\"Hangzhou Hikvision Digital Technology Co., Ltd.\")",
     0, 0},
    {"short_acronym_review", WARDEN_CONF_BOOL, "true", OFF(short_acronym_review),
     "a name that matches only through an acronym of three letters or fewer (\"BOC\" / \"Bank "
     "of China\") is a possible match for review, not a match: such an acronym stands for "
     "thousands of names (\"CMT\": \"Cosmote Mobile Telecommunications\" and \"CMT Crimea\"); "
     "false matches it like any acronym",
     0, 0},
    {"one_word_typo_review", WARDEN_CONF_BOOL, "true", OFF(one_word_typo_review),
     "a name that matches only through one distinctive word of six letters or fewer spelt "
     "one edit away (\"Kinet\" / \"Kinef\", \"Penta\" / \"Renta\", \"Zenith\" / "
     "\"Zenit\") is a possible match for review, not a match: coined company names that short "
     "are a letter apart from many others, and a party rarely misspells its own name; a "
     "country, domain or identifier that agrees still makes it a match; false matches it",
     0, 0},
    {"possible_review", WARDEN_CONF_BOOL, "true", OFF(possible_review),
     "`warden scan` and --batch report an organisation that nothing restricts but whose name is "
     "a possible match (review_threshold to match_threshold) with a listed organisation of its "
     "own country, domain or identifier as screen.possible_match, scored by the match, for "
     "review; a possible match that nothing corroborates, or with a person, vessel or "
     "aircraft, is not reported",
     0, 0},
    {"review_programs", WARDEN_CONF_STRLIST, "", OFF(review_programs),
     "sanctions programmes whose designations restrict less than blocking (OFAC's non-SDN "
     "CMIC-EO13959 restricts buying securities; UKRAINE-EO13662, sectoral, new debt and "
     "equity): a party listed only under programmes named here (its every programme, as the "
     "list gives them) does not restrict the organisation matching it, which is reported as "
     "screen.listed_review, scored review_program_score, for review; what it holds >= the "
     "threshold "
     "of is screen.possibly_owned_by_listed. An item LIST:PROGRAMME counts on that list only (the "
     "same name can be blocking on one list and not on another: RUSSIA-EO14024 on OFAC's SDN "
     "and consolidated lists)",
     0, 0},
    {"review_program_score", WARDEN_CONF_DOUBLE, "0.8", OFF(review_program_score),
     "score of screen.listed_review (at most the match's): what the policy does with a party "
     "whose programme does not block, below the rules that block on a match",
     0, 1},
    {"max_age_days", WARDEN_CONF_INT, "30", OFF(max_age_days),
     "warn (scan, serve, screen, lists) when a list's as_of date (lists.tsv, stamped by `warden "
     "lists update`) is older than this many days or unknown: screening against an old list "
     "misses parties listed since; 0 never warns",
     0, 36500},
    {NULL, 0, NULL, 0, NULL, 0, 0},
};

void warden_screen_conf_init(struct warden_screen_conf *c)
{
    memset(c, 0, sizeof *c);
    warden_conf_defaults(warden_screen_conf_table, c);
}

void warden_screen_conf_fini(struct warden_screen_conf *c)
{
    warden_conf_fini(warden_screen_conf_table, c);
}
