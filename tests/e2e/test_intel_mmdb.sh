#!/usr/bin/env bash
# test_intel_mmdb.sh — the .mmdb backend: writes small MaxMind DB files with
# Debian's libmaxmind-db-writer-perl (IPv6 tree with IPv4 aliases, and an
# IPv4-only tree), then checks `warden ip` reads country, ASN, AS name and
# Anonymous-IP categories from them, that an .mmdb outranks libloc for the
# country, and that a file that is not an .mmdb is refused (exit 3).
set -euo pipefail
W=${WARDEN_BIN:?}
T=${WARDEN_TMP:-/tmp}/e2e_intel_mmdb.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" <<<"$1" || fail "expected '$2' in: $1"; }

if ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
  echo "SKIP: libmaxmind-db-writer-perl not installed (scripts/deps.sh installs it)"
  exit 77 # ctest SKIP_RETURN_CODE
fi

perl - "$T" <<'PERL'
use strict; use warnings;
use MaxMind::DB::Writer::Tree;
my $dir = shift;
my %types = (country => 'map', iso_code => 'utf8_string',
  autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
  is_anonymous => 'boolean', is_anonymous_vpn => 'boolean', is_tor_exit_node => 'boolean',
  is_hosting_provider => 'boolean', is_public_proxy => 'boolean',
  is_residential_proxy => 'boolean');
sub tree {
  my ($v) = @_;
  MaxMind::DB::Writer::Tree->new(ip_version => $v, record_size => 24,
    database_type => 'Warden-Test', languages => ['en'], description => { en => 'test' },
    map_key_type_callback => sub { $types{ $_[0] } },
    remove_reserved_networks => 0, alias_ipv6_to_ipv4 => ($v == 6 ? 1 : 0));
}
sub save { my ($t, $f) = @_; open my $fh, '>:raw', "$dir/$f" or die; $t->write_tree($fh); close $fh; }

my $c = tree(6);   # country, IPv6 tree with IPv4 aliases
$c->insert_network('203.0.113.0/24', { country => { iso_code => 'NZ' } });
$c->insert_network('8.8.8.0/24', { country => { iso_code => 'ZZ' } });
$c->insert_network('2001:db8:abcd::/48', { country => { iso_code => 'FI' } });
save($c, 'country.mmdb');

my $a = tree(6);   # ASN
$a->insert_network('203.0.113.0/25', { autonomous_system_number => 64511,
  autonomous_system_organization => 'MMDB-TEST-AS' });
$a->insert_network('2001:db8:abcd:1::/64', { autonomous_system_number => 64512,
  autonomous_system_organization => 'MMDB-V6-AS' });
save($a, 'asn.mmdb');

my $x = tree(4);   # Anonymous-IP, IPv4-only tree
$x->insert_network('203.0.113.64/26', { is_anonymous => 1, is_anonymous_vpn => 1 });
$x->insert_network('203.0.113.200/32', { is_anonymous => 1, is_tor_exit_node => 1 });
$x->insert_network('203.0.113.201/32', { is_anonymous => 1, is_residential_proxy => 1 });
save($x, 'anon.mmdb');
PERL

out=$("$W" ip --locdb "" --no-lists --mmdb-country "$T/country.mmdb" --mmdb-asn "$T/asn.mmdb" \
      --mmdb-anonymous "$T/anon.mmdb" \
      203.0.113.5 203.0.113.70 203.0.113.130 203.0.113.200 203.0.113.201 \
      2001:db8:abcd:1::9 2001:db8:abcd:2::9 198.51.100.1)
echo "$out"
line() { grep "^$1 " <<<"$out" || fail "no line for $1"; }
l=$(line 203.0.113.5);   has "$l" "country=NZ"; has "$l" "asn=64511"; has "$l" 'as_name="MMDB-TEST-AS"'
has "$l" "categories=-"
l=$(line 203.0.113.70);  has "$l" "asn=64511"; has "$l" "categories=vpn"
l=$(line 203.0.113.130); has "$l" "country=NZ"; has "$l" "asn=0"
l=$(line 203.0.113.200); has "$l" "categories=tor"
l=$(line 203.0.113.201); has "$l" "categories=residential_proxy"
l=$(line 2001:db8:abcd:1::9); has "$l" "country=FI"; has "$l" "asn=64512"; has "$l" 'as_name="MMDB-V6-AS"'
l=$(line 2001:db8:abcd:2::9); has "$l" "country=FI"; has "$l" "asn=0"
l=$(line 198.51.100.1);  has "$l" "country=-"

# With libloc: the .mmdb country outranks libloc; ASN still comes from libloc.
out=$("$W" ip --no-lists --mmdb-country "$T/country.mmdb" 8.8.8.8 8.8.4.4)
echo "$out"
l=$(line 8.8.8.8); has "$l" "country=ZZ"; has "$l" "asn=15169"
l=$(line 8.8.4.4); has "$l" "country=US"

# Not an .mmdb: refused with the file name, exit 3.
printf 'hello\n' >"$T/bogus.mmdb"
set +e
"$W" ip --locdb "" --no-lists --mmdb-asn "$T/bogus.mmdb" 8.8.8.8 >/dev/null 2>"$T/err"; rc=$?
"$W" ip --locdb "" --no-lists --mmdb-asn "$T/missing.mmdb" 8.8.8.8 >/dev/null 2>"$T/err2"; rc2=$?
set -e
[ $rc -eq 3 ] || fail "bogus mmdb: exit $rc"
has "$(cat "$T/err")" "$T/bogus.mmdb"
[ $rc2 -eq 3 ] || fail "missing mmdb: exit $rc2"
has "$(cat "$T/err2")" "$T/missing.mmdb"
echo "PASS"
