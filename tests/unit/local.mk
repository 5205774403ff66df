# CUnit tests, one program per module group.  Each links the convenience
# library, from which the linker takes only the modules the test calls.
UNIT_CFLAGS = $(AM_CFLAGS) $(TALLOC_CFLAGS) $(CUNIT_CFLAGS)
UNIT_LDADD = xenstored/libxsd.a $(TALLOC_LIBS) $(LIBEVENT_LIBS) \
	$(SYSTEMD_LIBS) $(CUNIT_LIBS)

UNIT_TESTS = \
	tests/unit/test_path \
	tests/unit/test_perms \
	tests/unit/test_framing \
	tests/unit/test_store \
	tests/unit/test_quota \
	tests/unit/test_txn_watch \
	tests/unit/test_conflict \
	tests/unit/test_ring \
	tests/unit/test_domain \
	tests/unit/test_stream
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_unit_test_path_SOURCES = tests/unit/test_path.c tests/unit/cu_main.h
tests_unit_test_path_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_path_LDADD = $(UNIT_LDADD)

tests_unit_test_perms_SOURCES = tests/unit/test_perms.c tests/unit/cu_main.h
tests_unit_test_perms_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_perms_LDADD = $(UNIT_LDADD)

tests_unit_test_framing_SOURCES = tests/unit/test_framing.c \
	tests/unit/cu_main.h
tests_unit_test_framing_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_framing_LDADD = $(UNIT_LDADD)

tests_unit_test_store_SOURCES = tests/unit/test_store.c tests/unit/cu_main.h
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_LDADD = $(UNIT_LDADD)

tests_unit_test_quota_SOURCES = tests/unit/test_quota.c tests/unit/cu_main.h
tests_unit_test_quota_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_quota_LDADD = $(UNIT_LDADD)

# fault_hash.c comes before libxsd.a and replaces its hash allocator.
tests_unit_test_txn_watch_SOURCES = tests/unit/test_txn_watch.c \
	tests/unit/cu_main.h tests/unit/fault_hash.c tests/unit/fault_hash.h
tests_unit_test_txn_watch_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_txn_watch_LDADD = $(UNIT_LDADD)

tests_unit_test_ring_SOURCES = tests/unit/test_ring.c tests/unit/cu_main.h
tests_unit_test_ring_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ring_LDADD = $(UNIT_LDADD)

# domain.c over a fake libxs-stable (the test defines the xss_* calls).
tests_unit_test_domain_SOURCES = tests/unit/test_domain.c tests/unit/cu_main.h
tests_unit_test_domain_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/libxs-stable/include
tests_unit_test_domain_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_domain_LDADD = $(UNIT_LDADD)

tests_unit_test_conflict_SOURCES = tests/unit/test_conflict.c \
	tests/unit/cu_main.h
tests_unit_test_conflict_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conflict_LDADD = $(UNIT_LDADD)

tests_unit_test_stream_SOURCES = tests/unit/test_stream.c tests/unit/cu_main.h
tests_unit_test_stream_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_stream_LDADD = $(UNIT_LDADD)
