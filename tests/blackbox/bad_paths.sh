#!/bin/sh
# Path rules of docs/misc/xenstore.txt, seen through the tools: only
# alphanumerics and -/_@, no // and no trailing /.  Length: at most 2048
# bytes below /local/domain/<domid>/ (else the whole path), the path-max
# quota of C xenstored 4.17 and oxenstored; with -M 0 the spec's own
# limits, 3072 absolute and 2048 relative.  Refused paths create nothing.
. "$(dirname "$0")/lib.sh"

xs_start

# long_path PREFIX LENGTH: PREFIX followed by /-separated 99-byte segments,
# exactly LENGTH bytes long.
long_path()
{
	awk -v p="$1" -v n="$2" 'BEGIN {
		seg = sprintf("%099d", 0); gsub(/0/, "a", seg)
		s = p
		while (length(s) + 1 < n) {
			k = n - length(s) - 1
			if (k > 99) k = 99
			s = s (length(s) ? "/" : "") substr(seg, 1, k)
		}
		print s
	}'
}

for p in '/a b' '/a*b' '/a.b' '/a%b' '/a:b' '/a//b' '/a/' '/bad/' \
    '//' '/a\b' "/a$(printf '\377')b"; do
	ko xenstore-write "$p" x
	ko xenstore-read "$p"
	ko xenstore-exists "$p"
done
# None of those created anything, not even a parent.
ok xenstore-list /
assert_eq "children of / after refused writes" tool "$out"

# The allowed punctuation.
ok xenstore-write /ok-path_with@all-09AZaz x
ok xenstore-read /ok-path_with@all-09AZaz
assert_eq "value at a path using every allowed character" x "$out"

# The path-max quota, for dom0 too.
ok xenstore-write "$(long_path /pm 2048)" max
ko xenstore-write "$(long_path /pm 2049)" over
ok xenstore-write "$(long_path /local/domain/0/pm 2064)" max
ko xenstore-write "$(long_path /local/domain/0/pm 2065)" over
ok xenstore-rm /pm
ok xenstore-rm /local/domain/0/pm
xs_alive "path-max"
xs_stop

# The spec's limits with the quota off.
xs_start -M 0
abs_max=$(long_path /long 3072)
abs_over=$(long_path /long 3073)
assert_eq "length of test path" 3072 "${#abs_max}"
ok xenstore-write "$abs_max" max
ok xenstore-read "$abs_max"
assert_eq "value at a 3072-byte path" max "$out"
ko xenstore-write "$abs_over" over
ko xenstore-read "$abs_over"

rel_max=$(long_path rel 2048)
rel_over=$(long_path rel 2049)
assert_eq "length of relative test path" 2048 "${#rel_max}"
ok xenstore-write "$rel_max" max
ok xenstore-read "/local/domain/0/$rel_max"
assert_eq "value at a 2048-byte relative path" max "$out"
ko xenstore-write "$rel_over" over

xs_alive "bad paths"
xs_stop
pass
