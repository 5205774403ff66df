#!/bin/sh
# WRITE, READ and existence through the Debian tools: values round-trip
# byte for byte, WRITE creates missing parents with empty values, and
# errors come back as errors.
. "$(dirname "$0")/lib.sh"

xs_start

ok xenstore-write /a/b/c "hello world"
ok xenstore-read /a/b/c
assert_eq "value of /a/b/c" "hello world" "$out"
for p in /a /a/b; do
	ok xenstore-read "$p"
	assert_eq "value of implicitly created $p" "" "$out"
done

ok xenstore-write /a/b/c "second value"
ok xenstore-read /a/b/c
assert_eq "overwritten value" "second value" "$out"

ok xenstore-write /a/empty ""
ok xenstore-read /a/empty
assert_eq "empty value" "" "$out"

# Punctuation, and a value with characters xenstore-write escapes.
val='x=1; y="two", z=$3 & more!'
ok xenstore-write /a/punct "$val"
ok xenstore-read /a/punct
assert_eq "punctuation value" "$val" "$out"
ok xenstore-write /a/bin 'a\tb\001c'
ok xenstore-read /a/bin
assert_eq "escaped value read back" 'a\tb\001c' "$out"
# An embedded nul byte: values are binary, not C strings.
ok xenstore-write /a/nul 'a\000b\xffc'
ok xenstore-read /a/nul
assert_eq "value with nul and 0xff bytes" 'a\000b\xffc' "$out"

# Several pairs in one xenstore-write run in one transaction.
ok xenstore-write /m/one 1 /m/two 2 /m/three 3
ok xenstore-read /m/one /m/two /m/three
assert_eq "multi-pair write" "1
2
3" "$out"
ok xenstore-read -p /m/two
assert_eq "read -p" "/m/two: 2" "$out"

# Node size: Xen's test writes 2000 bytes; so do we.
big=$(printf '%2000s' '' | tr ' ' 'v')
ok xenstore-write /a/big "$big"
ok xenstore-read /a/big
assert_eq "length of 2000-byte value" 2000 "${#out}"
assert_eq "2000-byte value" "$big" "$out"

ok xenstore-exists /a/b/c
ok xenstore-exists /a
ko xenstore-exists /a/b/c/d
ko xenstore-exists /nonexistent
ko xenstore-read /nonexistent
ko xenstore-read /a/b/nonexistent

xs_stop
pass
