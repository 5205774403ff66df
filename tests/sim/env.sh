# Sourced, before tests/sim/lib.sh, by the scripts one runs by hand from a
# build directory (tests/conformance/*.sh, bench/run.sh).  The caller sets
# TOP to the source tree; make check sets both variables itself.
: "${abs_top_srcdir:=$TOP}"
if [ -z "${abs_top_builddir:-}" ]; then
	abs_top_builddir=$abs_top_srcdir
	[ ! -x simxen/simxen ] || abs_top_builddir=$(pwd)
fi
export abs_top_srcdir abs_top_builddir
