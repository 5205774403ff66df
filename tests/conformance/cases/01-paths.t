# Path rules and limits, implicit parents, READ/WRITE/MKDIR/RM/DIRECTORY.
# docs/misc/xenstore.txt: paths, READ, WRITE, MKDIR, RM, DIRECTORY.
conn a dom0
conn g guest 1

case write-read: WRITE stores an octet string, READ returns it
a: write /cf/p/v hello world -> OK
a: read /cf/p/v -> "hello world"
a: write /cf/p/v  -> OK
a: read /cf/p/v -> ""

case implicit-parents: WRITE creates missing parents with empty values
a: write /cf/ip/a/b/c x -> OK
a: read /cf/ip/a -> ""
a: read /cf/ip/a/b -> ""
a: dir /cf/ip/a -> [b]

case mkdir: MKDIR creates missing parents and leaves existing values
a: write /cf/mk/v keep -> OK
a: mkdir /cf/mk/v -> OK
a: read /cf/mk/v -> "keep"
a: mkdir /cf/mk/new/deep -> OK
a: read /cf/mk/new/deep -> ""

case read-missing: READ of a missing node is ENOENT
a: read /cf/nope -> ERR ENOENT
a: dir /cf/nope -> ERR ENOENT

case rm-subtree: RM deletes a node and all its children
a: write /cf/rm/a/b/c 1 -> OK
a: write /cf/rm/a/d 2 -> OK
a: rm /cf/rm/a -> OK
a: read /cf/rm/a/b/c -> ERR ENOENT
a: dir /cf/rm -> []

case rm-missing: RM of a missing node is fine if its parent exists
a: mkdir /cf/rmm -> OK
a: rm /cf/rmm/nothere -> OK

case rm-missing-parent: RM is an error if the immediate parent is missing too
a: rm /cf/rmm/no/such -> ERR ENOENT

case bad-chars: only alphanumerics and -/_@ are allowed
a: write /cf/bad$x 1 -> ERR EINVAL
a: write /cf/bad.x 1 -> ERR EINVAL
a: write /cf/bad:x 1 -> ERR EINVAL
a: read /cf/bad*x -> ERR EINVAL
a: write /cf/ok-x_y@z 1 -> OK

case double-slash: doubled slashes are forbidden
a: write /cf//x 1 -> ERR EINVAL
a: read //cf -> ERR EINVAL

case trailing-slash: trailing slashes are forbidden except for the root
a: write /cf/ts/ 1 -> ERR EINVAL
a: dir /cf/ -> ERR EINVAL

case empty-path: the empty path is forbidden
allow oxenstored: oxenstored 4.17 never answers a READ of the empty path
a: read  -> ERR EINVAL

case root: the root exists and is listed
allow oxenstored: oxenstored 4.17 keeps @introduceDomain and @releaseDomain as nodes under / and lists children sorted
a: dir / -> [tool local cf]
a: read / -> ""

case relative-socket: a socket client's relative path is below /local/domain/0
# xenstore.txt: "the caller must be a domain"; it names no error.  C
# xenstored 4.17 takes dom0's domain path as the base.
a: write cf-rel 1 -> OK
a: read /local/domain/0/cf-rel -> "1"

case relative-guest: a domain's relative paths are under /local/domain/<domid>
g: write data/rel 7 -> OK
a: read /local/domain/1/data/rel -> "7"
g: read /local/domain/1/data/rel -> "7"
g: dir data -> [rel]

case path-max: at most 2048 bytes below /local/domain/<domid>/, else the whole path
# xenstore.txt forbids more than 3072 bytes; C xenstored 4.17 (path-max
# quota, XENSTORE_REL_PATH_MAX) and oxenstored refuse more than 2048
# bytes after the domain prefix, for every caller.
a: write /cf/{x*2044} 1 -> OK
a: write /cf/{x*2045} 1 -> ERR EINVAL
a: write /local/domain/1/d{y*2047} 1 -> OK
a: write /local/domain/1/d{y*2048} 1 -> ERR EINVAL
a: read /cf/{x*2044} -> "1"

case guest-path-max: the same limit for a domain's relative paths
g: write data/{y*1000}/{y*1042} 1 -> OK
g: write data/{y*1000}/{y*1043} 1 -> ERR EINVAL
