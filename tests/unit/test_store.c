/*
 * store.c: the node tree, its generations, subtree removal and walks.
 * The deep-chain and many-nodes tests are about scale: they must pass
 * under AddressSanitizer, whose stack would not survive recursion over a
 * 10000-level chain.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cu_main.h"
#include "store.h"

#define DEEP_LEVELS	10000
#define MANY_NODES	100000

static TALLOC_CTX *ctx;
static struct store *st;
static struct perm_entry root_entry = { 0, PERM_NONE };
static const struct perms root_perms = { 1, &root_entry };

static void
setup(void)
{
	ctx = talloc_new(NULL);
	st = store_new(ctx, &root_perms);
}

static void
teardown(void)
{
	st = NULL;
	TALLOC_FREE(ctx);
}

/* Add a child with string data (no nul stored), with the root's perms. */
static struct node *
add(struct node *parent, const char *name, const char *data)
{
	struct node *n;

	n = store_add(st, parent, name, data, strlen(data), &root_perms);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	return n;
}

static struct node *
lookup(const char *path)
{
	struct node *n = store_lookup(st, path);

	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	return n;
}

/* The child names of n, nul bytes shown as ' '. */
static char *
children(const struct node *n)
{
	size_t len = 99, i;
	char *names;

	names = node_children(ctx, n, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(names);
	CU_ASSERT_EQUAL(len, node_child_bytes(n));
	names = talloc_realloc(ctx, names, char, len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(names);
	for (i = 0; i < len; i++)
		if (names[i] == '\0')
			names[i] = ' ';
	names[len] = '\0';
	return names;
}

static void
test_root_only(void)
{
	struct node *root;
	size_t len = 99;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(store_count(st), 1);
	root = lookup("/");
	CU_ASSERT_STRING_EQUAL(node_path(root), "/");
	CU_ASSERT_STRING_EQUAL(node_name(root), "");
	CU_ASSERT_PTR_NULL(node_parent(root));
	CU_ASSERT_EQUAL(node_child_count(root), 0);
	CU_ASSERT_EQUAL(node_child_bytes(root), 0);
	CU_ASSERT_PTR_NULL(node_first_child(root));
	node_data(root, &len);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_TRUE(perms_equal(node_perms(root), &root_perms));
	/* The perms were copied. */
	CU_ASSERT_PTR_NOT_EQUAL(node_perms(root)->p, root_perms.p);
	CU_ASSERT_NOT_EQUAL(node_gen(root), 0);
	CU_ASSERT_STRING_EQUAL(children(root), "");
	CU_ASSERT_PTR_NULL(store_lookup(st, "/a"));
	CU_ASSERT_PTR_NULL(store_lookup(st, ""));
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_add_lookup(void)
{
	static const char bin[] = { 'x', '\0', 'y' };
	struct node *root = lookup("/"), *a, *ax, *n;
	char data[] = "hello";
	const char *d;
	size_t len;

	a = add(root, "a", data);
	memset(data, 'Z', 5);	/* the node has its own copy */
	ax = store_add(st, a, "x", bin, sizeof(bin), &root_perms);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ax);
	CU_ASSERT_EQUAL(store_count(st), 3);
	CU_ASSERT_PTR_EQUAL(lookup("/a"), a);
	CU_ASSERT_PTR_EQUAL(lookup("/a/x"), ax);
	CU_ASSERT_STRING_EQUAL(node_path(ax), "/a/x");
	CU_ASSERT_STRING_EQUAL(node_name(ax), "x");
	CU_ASSERT_PTR_EQUAL(node_parent(ax), a);
	CU_ASSERT_PTR_EQUAL(node_parent(a), root);
	d = node_data(a, &len);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_EQUAL(memcmp(d, "hello", 5), 0);
	/* Data is bytes, nuls included. */
	d = node_data(ax, &len);
	CU_ASSERT_EQUAL(len, sizeof(bin));
	CU_ASSERT_EQUAL(memcmp(d, bin, sizeof(bin)), 0);
	CU_ASSERT_PTR_NULL(store_lookup(st, "/x"));
	CU_ASSERT_PTR_NULL(store_lookup(st, "/a/"));
	CU_ASSERT_PTR_NULL(store_lookup(st, "/a/x/y"));

	n = add(ax, "y", "");
	node_data(n, &len);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_children_order(void)
{
	struct node *root = lookup("/"), *p, *c;
	static const char *const names[] = { "zeta", "a", "mid", "b" };
	size_t i;

	p = add(root, "p", "");
	for (i = 0; i < 4; i++)
		add(p, names[i], "");
	/* Creation order, not sorted. */
	CU_ASSERT_STRING_EQUAL(children(p), "zeta a mid b ");
	CU_ASSERT_EQUAL(node_child_count(p), 4);
	CU_ASSERT_EQUAL(node_child_bytes(p), 5 + 2 + 4 + 2);
	for (i = 0, c = node_first_child(p); c != NULL;
	    c = node_next_sibling(c), i++)
		CU_ASSERT_STRING_EQUAL(node_name(c), names[i]);
	CU_ASSERT_EQUAL(i, 4);

	/* Removing the middle, first and last keeps the rest in order. */
	store_remove(st, lookup("/p/mid"), NULL, NULL);
	CU_ASSERT_STRING_EQUAL(children(p), "zeta a b ");
	store_remove(st, lookup("/p/zeta"), NULL, NULL);
	CU_ASSERT_STRING_EQUAL(children(p), "a b ");
	store_remove(st, lookup("/p/b"), NULL, NULL);
	CU_ASSERT_STRING_EQUAL(children(p), "a ");
	add(p, "zeta", "");
	CU_ASSERT_STRING_EQUAL(children(p), "a zeta ");
	CU_ASSERT_EQUAL(node_child_count(p), 2);
	CU_ASSERT_EQUAL(node_child_bytes(p), 2 + 5);
	CU_ASSERT_EQUAL(store_count(st), 4);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_next_gen(void)
{
	uint64_t a, b, c;

	a = store_next_gen(st);
	b = store_next_gen(st);
	c = store_next_gen(st);
	CU_ASSERT_NOT_EQUAL(a, 0);
	CU_ASSERT_TRUE(a < b && b < c);
}

static void
test_generations(void)
{
	struct node *root = lookup("/"), *p, *c;
	uint64_t pgen, pcgen, cgen, ccgen;
	struct perm_entry e[2] = { { 0, PERM_NONE }, { 5, PERM_READ } };
	const struct perms two = { 2, e };

	p = add(root, "p", "");
	pgen = node_gen(p);
	pcgen = node_child_gen(p);

	/* A new child moves the parent's child_gen, not its gen. */
	c = add(p, "c", "v1");
	CU_ASSERT_EQUAL(node_gen(p), pgen);
	CU_ASSERT_TRUE(node_child_gen(p) > pcgen);
	CU_ASSERT_TRUE(node_gen(c) > pgen);
	pcgen = node_child_gen(p);
	cgen = node_gen(c);
	ccgen = node_child_gen(c);

	/* New data moves the node's gen only. */
	CU_ASSERT_EQUAL(store_set_data(st, c, "v2", 2), 0);
	CU_ASSERT_TRUE(node_gen(c) > cgen);
	CU_ASSERT_EQUAL(node_child_gen(c), ccgen);
	CU_ASSERT_EQUAL(node_gen(p), pgen);
	CU_ASSERT_EQUAL(node_child_gen(p), pcgen);
	cgen = node_gen(c);

	/* So do new perms. */
	CU_ASSERT_EQUAL(store_set_perms(st, c, &two), 0);
	CU_ASSERT_TRUE(node_gen(c) > cgen);
	CU_ASSERT_TRUE(perms_equal(node_perms(c), &two));
	CU_ASSERT_PTR_NOT_EQUAL(node_perms(c)->p, e);
	CU_ASSERT_EQUAL(node_gen(p), pgen);
	CU_ASSERT_EQUAL(node_child_gen(p), pcgen);

	/* Removing a child moves the parent's child_gen, not its gen. */
	store_remove(st, c, NULL, NULL);
	CU_ASSERT_EQUAL(node_gen(p), pgen);
	CU_ASSERT_TRUE(node_child_gen(p) > pcgen);
}

static void
test_set_data(void)
{
	struct node *n = add(lookup("/"), "n", "old");
	const char *d;
	size_t len;

	CU_ASSERT_EQUAL(store_set_data(st, n, "newer", 5), 0);
	d = node_data(n, &len);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_EQUAL(memcmp(d, "newer", 5), 0);
	CU_ASSERT_EQUAL(store_set_data(st, n, NULL, 0), 0);
	node_data(n, &len);
	CU_ASSERT_EQUAL(len, 0);
}

struct removed {
	const char	*paths[16];
	unsigned int	 n;
};

static void
record_removed(struct node *n, void *arg)
{
	struct removed *r = arg;

	/* The node is still whole when the callback sees it. */
	if (r->n < 16)
		r->paths[r->n] = talloc_strdup(ctx, node_path(n));
	r->n++;
}

static int
removed_index(const struct removed *r, const char *path)
{
	unsigned int i;

	for (i = 0; i < r->n && i < 16; i++)
		if (strcmp(r->paths[i], path) == 0)
			return i;
	return -1;
}

static void
test_remove_subtree(void)
{
	static const char *const gone[] = {
		"/a", "/a/b", "/a/b/c", "/a/b/d", "/a/e",
	};
	struct node *root = lookup("/"), *a, *b;
	struct removed r = { { NULL }, 0 };
	unsigned int i;

	a = add(root, "a", "");
	b = add(a, "b", "");
	add(b, "c", "");
	add(b, "d", "");
	add(a, "e", "");
	add(root, "f", "");
	CU_ASSERT_EQUAL(store_count(st), 7);

	store_remove(st, a, record_removed, &r);
	CU_ASSERT_EQUAL_FATAL(r.n, 5);
	for (i = 0; i < 5; i++) {
		CU_ASSERT(removed_index(&r, gone[i]) >= 0);
		CU_ASSERT_PTR_NULL(store_lookup(st, gone[i]));
	}
	/* Children before their parent. */
	CU_ASSERT(removed_index(&r, "/a/b/c") < removed_index(&r, "/a/b"));
	CU_ASSERT(removed_index(&r, "/a/b/d") < removed_index(&r, "/a/b"));
	CU_ASSERT(removed_index(&r, "/a/b") < removed_index(&r, "/a"));
	CU_ASSERT(removed_index(&r, "/a/e") < removed_index(&r, "/a"));
	CU_ASSERT_EQUAL(removed_index(&r, "/a"), 4);

	CU_ASSERT_EQUAL(store_count(st), 2);
	CU_ASSERT_EQUAL(node_child_count(root), 1);
	CU_ASSERT_EQUAL(node_child_bytes(root), 2);
	CU_ASSERT_STRING_EQUAL(children(root), "f ");
	CU_ASSERT_PTR_NOT_NULL(store_lookup(st, "/f"));
	CU_ASSERT_EQUAL(store_check(st), 0);

	/* The same names can be created again. */
	a = add(root, "a", "");
	add(a, "b", "");
	CU_ASSERT_EQUAL(store_count(st), 4);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

struct walk {
	char		 order[64];
	const char	*skip;
};

static bool
walk_cb(struct node *n, void *arg)
{
	struct walk *w = arg;
	size_t used = strlen(w->order);

	/* A runaway walk shows as a truncated order, not an overflow. */
	snprintf(w->order + used, sizeof(w->order) - used, "%s ",
	    node_path(n));
	return w->skip == NULL || strcmp(node_path(n), w->skip) != 0;
}

static void
test_walk(void)
{
	struct node *root = lookup("/"), *a, *b;
	struct walk w;

	a = add(root, "a", "");
	add(a, "x", "");
	add(a, "y", "");
	b = add(root, "b", "");
	add(b, "z", "");

	memset(&w, 0, sizeof(w));
	store_walk(root, walk_cb, &w);
	CU_ASSERT_STRING_EQUAL(w.order, "/ /a /a/x /a/y /b /b/z ");

	/* false skips the node's children, not its siblings. */
	memset(&w, 0, sizeof(w));
	w.skip = "/a";
	store_walk(root, walk_cb, &w);
	CU_ASSERT_STRING_EQUAL(w.order, "/ /a /b /b/z ");

	memset(&w, 0, sizeof(w));
	w.skip = "/";
	store_walk(root, walk_cb, &w);
	CU_ASSERT_STRING_EQUAL(w.order, "/ ");

	/* A walk stays inside the subtree it starts at. */
	memset(&w, 0, sizeof(w));
	store_walk(a, walk_cb, &w);
	CU_ASSERT_STRING_EQUAL(w.order, "/a /a/x /a/y ");
	memset(&w, 0, sizeof(w));
	store_walk(lookup("/a/x"), walk_cb, &w);
	CU_ASSERT_STRING_EQUAL(w.order, "/a/x ");
	memset(&w, 0, sizeof(w));
	w.skip = "/a";
	store_walk(a, walk_cb, &w);
	CU_ASSERT_STRING_EQUAL(w.order, "/a ");
}

static bool
count_cb(struct node *n, void *arg)
{
	(void)n;
	(*(unsigned int *)arg)++;
	return true;
}

struct deep_removed {
	unsigned int	 n;
	const char	*first;
};

static void
deep_removed_cb(struct node *n, void *arg)
{
	struct deep_removed *r = arg;

	if (r->n++ == 0)
		r->first = talloc_strdup(ctx, node_path(n));
}

static void
test_deep_chain(void)
{
	struct node *n = lookup("/"), *top = NULL;
	struct deep_removed r = { 0, NULL };
	unsigned int i, count = 0;
	char *deepest;

	for (i = 0; i < DEEP_LEVELS; i++) {
		n = add(n, "d", "");
		if (top == NULL)
			top = n;
	}
	CU_ASSERT_EQUAL(store_count(st), DEEP_LEVELS + 1);
	deepest = talloc_strdup(ctx, node_path(n));
	CU_ASSERT_EQUAL(strlen(deepest), 2 * DEEP_LEVELS);
	CU_ASSERT_PTR_EQUAL(store_lookup(st, deepest), n);

	store_walk(lookup("/"), count_cb, &count);
	CU_ASSERT_EQUAL(count, DEEP_LEVELS + 1);
	CU_ASSERT_EQUAL(store_check(st), 0);

	store_remove(st, top, deep_removed_cb, &r);
	CU_ASSERT_EQUAL(r.n, DEEP_LEVELS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.first);
	CU_ASSERT_STRING_EQUAL(r.first, deepest);
	CU_ASSERT_EQUAL(store_count(st), 1);
	CU_ASSERT_PTR_NULL(store_lookup(st, "/d"));
	CU_ASSERT_PTR_NULL(store_lookup(st, deepest));
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_deep_chain_freed_with_store(void)
{
	struct node *n = lookup("/");
	unsigned int i;

	/* Freeing the store must not recurse over the chain either. */
	for (i = 0; i < DEEP_LEVELS; i++)
		n = add(n, "d", "");
	CU_ASSERT_EQUAL(store_count(st), DEEP_LEVELS + 1);
}

static void
test_many_nodes(void)
{
	struct node *root = lookup("/"), *dir, *n;
	char path[32], name[16];
	unsigned int i, bad = 0;

	dir = add(root, "n", "");
	for (i = 0; i < MANY_NODES; i++) {
		snprintf(name, sizeof(name), "%u", i);
		n = store_add(st, dir, name, name, strlen(name), &root_perms);
		if (n == NULL)
			bad++;
	}
	CU_ASSERT_EQUAL_FATAL(bad, 0);
	CU_ASSERT_EQUAL(store_count(st), MANY_NODES + 2);
	CU_ASSERT_EQUAL(node_child_count(dir), MANY_NODES);
	for (i = 0; i < MANY_NODES; i++) {
		const char *d;
		size_t len;

		snprintf(path, sizeof(path), "/n/%u", i);
		snprintf(name, sizeof(name), "%u", i);
		n = store_lookup(st, path);
		if (n == NULL || strcmp(node_path(n), path) != 0) {
			bad++;
			continue;
		}
		d = node_data(n, &len);
		if (len != strlen(name) || memcmp(d, name, len) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_PTR_NULL(store_lookup(st, "/n/100000"));
	CU_ASSERT_PTR_NULL(store_lookup(st, "/n/-1"));
	CU_ASSERT_PTR_NOT_NULL(store_lookup(st, "/"));
	CU_ASSERT_PTR_NOT_NULL(store_lookup(st, "/n"));
	CU_ASSERT_EQUAL(store_check(st), 0);

	/* Remove every other node; the rest are still found. */
	for (i = 0; i < MANY_NODES; i += 2) {
		snprintf(path, sizeof(path), "/n/%u", i);
		store_remove(st, lookup(path), NULL, NULL);
	}
	for (i = 0; i < MANY_NODES; i++) {
		snprintf(path, sizeof(path), "/n/%u", i);
		if ((store_lookup(st, path) == NULL) != (i % 2 == 0))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(store_count(st), MANY_NODES / 2 + 2);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

/* The paths of the nodes naming domid, sorted, space-separated. */
static char *
naming(unsigned int domid)
{
	struct node **nodes;
	unsigned int n, i, j;
	struct node *t;
	char *s;

	CU_ASSERT_EQUAL_FATAL(store_nodes_naming(ctx, st, domid, &nodes, &n),
	    0);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(node_path(nodes[j]), node_path(nodes[i])) < 0) {
				t = nodes[i];
				nodes[i] = nodes[j];
				nodes[j] = t;
			}
	s = talloc_strdup(ctx, "");
	for (i = 0; i < n; i++)
		s = talloc_asprintf_append(s, "%s%s", i ? " " : "",
		    node_path(nodes[i]));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* The domid index follows creation, perms changes and removal. */
static void
test_nodes_naming(void)
{
	struct perm_entry e7[] = { { 7, PERM_NONE }, { 3, PERM_READ },
	    { 7, PERM_WRITE } };
	struct perm_entry e3[] = { { 0, PERM_NONE }, { 3, PERM_READ | PERM_WRITE } };
	const struct perms p7 = { 3, e7 }, p3 = { 2, e3 };
	struct node *a, *b, *c;

	a = add(lookup("/"), "a", "");
	b = store_add(st, a, "b", "", 0, &p7);
	c = store_add(st, b, "c", "", 0, &p3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(naming(7), "/a/b");
	CU_ASSERT_STRING_EQUAL(naming(3), "/a/b /a/b/c");
	CU_ASSERT_STRING_EQUAL(naming(0), "/ /a /a/b/c");
	CU_ASSERT_STRING_EQUAL(naming(9), "");
	CU_ASSERT_EQUAL(store_set_perms(st, a, &p3), 0);
	CU_ASSERT_STRING_EQUAL(naming(3), "/a /a/b /a/b/c");
	CU_ASSERT_STRING_EQUAL(naming(0), "/ /a /a/b/c");
	CU_ASSERT_EQUAL(store_set_perms(st, b, &root_perms), 0);
	CU_ASSERT_STRING_EQUAL(naming(7), "");
	CU_ASSERT_STRING_EQUAL(naming(0), "/ /a /a/b /a/b/c");
	store_remove(st, b, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(naming(3), "/a");
	CU_ASSERT_STRING_EQUAL(naming(0), "/ /a");
}

/*
 * A perms change that keeps some domids and adds others: the lists of
 * the kept domids must survive the unlinking of the old entries (a
 * use-after-free once: WRITE, SET_PERMS b1 r7, SET_PERMS b1 r7 r8, RM).
 */
static void
test_nodes_naming_kept_domids(void)
{
	struct perm_entry e1[] = { { 1, PERM_READ | PERM_WRITE },
	    { 7, PERM_READ } };
	struct perm_entry e2[] = { { 1, PERM_READ | PERM_WRITE },
	    { 7, PERM_READ }, { 8, PERM_READ } };
	const struct perms p1 = { 2, e1 }, p2 = { 3, e2 };
	struct node *x;

	x = add(lookup("/"), "x", "v");
	CU_ASSERT_EQUAL(store_set_perms(st, x, &p1), 0);
	CU_ASSERT_STRING_EQUAL(naming(0), "/");
	CU_ASSERT_STRING_EQUAL(naming(1), "/x");
	CU_ASSERT_EQUAL(store_set_perms(st, x, &p2), 0);
	CU_ASSERT_STRING_EQUAL(naming(1), "/x");
	CU_ASSERT_STRING_EQUAL(naming(7), "/x");
	CU_ASSERT_STRING_EQUAL(naming(8), "/x");
	/* The same set again, and back to fewer domids. */
	CU_ASSERT_EQUAL(store_set_perms(st, x, &p2), 0);
	CU_ASSERT_EQUAL(store_set_perms(st, x, &p1), 0);
	CU_ASSERT_STRING_EQUAL(naming(7), "/x");
	CU_ASSERT_STRING_EQUAL(naming(8), "");
	store_remove(st, x, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(naming(1), "");
	CU_ASSERT_STRING_EQUAL(naming(7), "");
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static const struct cu_test tests[] = {
	TEST(test_root_only),
	TEST(test_add_lookup),
	TEST(test_children_order),
	TEST(test_next_gen),
	TEST(test_generations),
	TEST(test_set_data),
	TEST(test_remove_subtree),
	TEST(test_walk),
	TEST(test_deep_chain),
	TEST(test_deep_chain_freed_with_store),
	TEST(test_many_nodes),
	TEST(test_nodes_naming),
	TEST(test_nodes_naming_kept_domids),
	TEST_END
};

int
main(void)
{
	const struct cu_suite suites[] = {
		{ "store", setup, teardown, tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
