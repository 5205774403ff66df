#!/bin/sh
# A directory whose child names need more than XENSTORE_PAYLOAD_MAX (4096)
# bytes cannot be answered by one DIRECTORY reply; libxenstore then pages
# through DIRECTORY_PART.  xenstore-list (inside a transaction) and
# xenstore-ls (outside one) must both see every child exactly once.
. "$(dirname "$0")/lib.sh"

xs_start

n=400
# Names of 27 bytes plus a nul each: 400 of them make 11200 bytes.
i=0
while [ "$i" -lt "$n" ]; do
	printf 'child-%04d-with-a-long-name\n' "$i"
	i=$((i + 1))
done >"$XS_TMP/names"
sort "$XS_TMP/names" >"$XS_TMP/expected"

# Create them 100 to a transaction (each xenstore-write with several pairs
# is one transaction); the value of each child is its own name.
split -l 100 "$XS_TMP/names" "$XS_TMP/chunk."
for f in "$XS_TMP"/chunk.*; do
	# shellcheck disable=SC2046 # one word per path and value.
	ok xenstore-write $(sed 's|.*|/big/& &|' "$f")
done

ok xenstore-list /big
printf '%s\n' "$out" | sort >"$XS_TMP/actual"
assert_files_eq "xenstore-list /big" "$XS_TMP/expected" "$XS_TMP/actual"

ok xenstore-ls /big
printf '%s\n' "$out" | sort >"$XS_TMP/actual"
sed 's|.*|& = "&"|' "$XS_TMP/expected" >"$XS_TMP/expected-ls"
assert_files_eq "xenstore-ls /big" "$XS_TMP/expected-ls" "$XS_TMP/actual"

ok xenstore-ls -f /
printf '%s\n' "$out" | grep -c '^/big/' >"$XS_TMP/count" || true
assert_eq "children of /big in xenstore-ls -f /" "$n" "$(cat "$XS_TMP/count")"

# Changing the directory between runs is seen by the next listing.
ok xenstore-rm /big/child-0123-with-a-long-name
ok xenstore-write /big/zz-late-arrival x
ok xenstore-list /big
printf '%s\n' "$out" | sort >"$XS_TMP/actual"
{ grep -v '^child-0123-' "$XS_TMP/expected"; echo zz-late-arrival; } |
    sort >"$XS_TMP/expected2"
assert_files_eq "xenstore-list /big after a change" \
    "$XS_TMP/expected2" "$XS_TMP/actual"

ok xenstore-rm /big
ko xenstore-exists /big
ok xenstore-ls -f /
assert_eq "tree after rm /big" "/tool = \"\"
/tool/xenstored = \"\"" "$out"

xs_stop
pass
