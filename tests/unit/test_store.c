/*
 * store.c: the node tree, its generations, subtree removal and walks.
 * The deep-chain and many-nodes tests are about scale: they must pass
 * under AddressSanitizer, whose stack would not survive recursion over a
 * 10000-level chain.
 */
#include "config.h"

#include <errno.h>
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

/* The full path of n, on ctx. */
static char *
path_of(const struct node *n)
{
	char *p = node_path_dup(ctx, n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(strlen(p), node_path_len(n));
	return p;
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
	CU_ASSERT_STRING_EQUAL(path_of(root), "/");
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
	CU_ASSERT_STRING_EQUAL(path_of(ax), "/a/x");
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
		r->paths[r->n] = path_of(n);
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
	    path_of(n));
	return w->skip == NULL || strcmp(path_of(n), w->skip) != 0;
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
		r->first = path_of(n);
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
	deepest = path_of(n);
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
		if (n == NULL || strcmp(path_of(n), path) != 0) {
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
			if (strcmp(path_of(nodes[j]), path_of(nodes[i])) < 0) {
				t = nodes[i];
				nodes[i] = nodes[j];
				nodes[j] = t;
			}
	s = talloc_strdup(ctx, "");
	for (i = 0; i < n; i++)
		s = talloc_asprintf_append(s, "%s%s", i ? " " : "",
		    path_of(nodes[i]));
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


/*
 * Names that differ only by where a '/' falls, siblings that are
 * prefixes of each other, the same name under different parents: every
 * lookup must confirm the whole path, not just the last name.  Run with
 * the real hash and with hashes cut to few bits or none, so that every
 * node shares a bucket.
 */
static void
check_tricky_names(void)
{
	static const char *const paths[] = {
		"/a", "/ab", "/abc", "/ax", "/a/x", "/ab/x", "/abc/x",
		"/a/x/a", "/ax/a", "/a/xa", "/b", "/b/a", "/b/a/x",
	};
	static const char *const absent[] = {
		"/a/b", "/abcd", "/x", "/a/x/a/x", "/xa", "/b/x", "/a/a",
		"/ab/x/a", "a", "a/x", "/a/", "//a", "/a//x", "", "/b/a/x/",
	};
	struct node *n[sizeof(paths) / sizeof(paths[0])], *p, *root;
	size_t i;
	char *dup, *slash;

	root = lookup("/");
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		dup = talloc_strdup(ctx, paths[i]);
		slash = strrchr(dup, '/');
		*slash = '\0';
		p = slash == dup ? root : lookup(dup);
		CU_ASSERT_PTR_NULL(store_child(st, p, slash + 1));
		n[i] = add(p, slash + 1, paths[i]);
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const char *d;
		size_t len;

		CU_ASSERT_PTR_EQUAL(store_lookup(st, paths[i]), n[i]);
		CU_ASSERT_STRING_EQUAL(path_of(n[i]), paths[i]);
		CU_ASSERT_PTR_EQUAL(store_child(st, node_parent(n[i]),
		    node_name(n[i])), n[i]);
		d = node_data(n[i], &len);
		CU_ASSERT_EQUAL(len, strlen(paths[i]));
		CU_ASSERT_EQUAL(memcmp(d, paths[i], len), 0);
	}
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		CU_ASSERT_PTR_NULL(store_lookup(st, absent[i]));
	CU_ASSERT_PTR_NULL(store_child(st, root, "abcd"));
	CU_ASSERT_PTR_NULL(store_child(st, root, "x"));
	CU_ASSERT_PTR_NULL(store_child(st, lookup("/a"), "xa/"));
	CU_ASSERT_PTR_NULL(store_child(st, lookup("/ab"), "a"));
	CU_ASSERT_PTR_EQUAL(store_child(st, root, "ab"), lookup("/ab"));
	CU_ASSERT_EQUAL(store_check(st), 0);

	/* Remove some; the others are still found, the removed are not. */
	store_remove(st, lookup("/a/x"), NULL, NULL);
	store_remove(st, lookup("/ab"), NULL, NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		bool gone = strcmp(paths[i], "/a/x") == 0 ||
		    strncmp(paths[i], "/a/x/", 5) == 0 ||
		    strcmp(paths[i], "/ab") == 0 ||
		    strncmp(paths[i], "/ab/", 4) == 0;

		CU_ASSERT_PTR_EQUAL(store_lookup(st, paths[i]),
		    gone ? NULL : n[i]);
	}
	CU_ASSERT_EQUAL(store_count(st), 1 + 13 - 4);
	p = add(root, "ab", "again");
	CU_ASSERT_PTR_EQUAL(store_lookup(st, "/ab"), p);
	CU_ASSERT_PTR_NULL(store_lookup(st, "/ab/x"));
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_store_child(void)
{
	check_tricky_names();
}

static void
test_collisions_few_bits(void)
{
	store_set_hash_bits(st, 3);
	check_tricky_names();
}

static void
test_collisions_one_hash(void)
{
	store_set_hash_bits(st, 0);
	check_tricky_names();
}

/* Long names and deep paths are built and found again. */
static void
test_long_paths(void)
{
	struct node *n = lookup("/"), *top;
	char name[1001], *path, *q;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		memset(name, 'a' + i, 1000);
		name[1000] = '\0';
		n = add(n, name, name);
	}
	path = path_of(n);
	CU_ASSERT_EQUAL(strlen(path), 3003);
	CU_ASSERT_EQUAL(node_path_len(n), 3003);
	CU_ASSERT_PTR_EQUAL(store_lookup(st, path), n);
	CU_ASSERT_EQUAL(path[0], '/');
	CU_ASSERT_EQUAL(path[1001], '/');
	CU_ASSERT_EQUAL(path[2002], '/');
	CU_ASSERT_EQUAL(path[3002], 'c');
	CU_ASSERT_PTR_EQUAL(store_child(st, node_parent(n), name), n);
	/* One byte off anywhere, and it is not found. */
	q = talloc_strdup(ctx, path);
	q[1500] = 'z';
	CU_ASSERT_PTR_NULL(store_lookup(st, q));
	q[1500] = 'b';
	q[3002] = '\0';
	CU_ASSERT_PTR_NULL(store_lookup(st, q));
	CU_ASSERT_EQUAL(node_path_len(lookup("/")), 1);

	/* A deep chain of short names. */
	top = n = add(lookup("/"), "d", "");
	for (i = 1; i < 2000; i++)
		n = add(n, i % 2 ? "e" : "d", "");
	path = path_of(n);
	CU_ASSERT_EQUAL(strlen(path), 4000);
	CU_ASSERT_PTR_EQUAL(store_lookup(st, path), n);
	path[3999] = 'd';
	CU_ASSERT_PTR_NULL(store_lookup(st, path));
	CU_ASSERT_EQUAL(store_check(st), 0);
	store_remove(st, top, NULL, NULL);
	CU_ASSERT_EQUAL(store_count(st), 4);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

/*
 * Growth of the hash table, with lookups and removals while old buckets
 * are still being moved over; the same with every hash cut to 4 bits.
 */
static void
check_growth(unsigned int total)
{
	struct node *root = lookup("/"), *dirs[7], *n;
	char path[32], name[16];
	unsigned int i, j, bad = 0, live;

	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "g%u", i);
		dirs[i] = add(root, name, "");
	}
	for (i = 0; i < total; i++) {
		snprintf(name, sizeof(name), "%u", i);
		n = store_add(st, dirs[i % 7], name, name, strlen(name),
		    &root_perms);
		if (n == NULL) {
			bad++;
			continue;
		}
		/* Every third one goes again, two steps later. */
		if (i % 3 == 2) {
			snprintf(path, sizeof(path), "/g%u/%u", (i - 2) % 7,
			    i - 2);
			if ((n = store_lookup(st, path)) == NULL)
				bad++;
			else
				store_remove(st, n, NULL, NULL);
		}
		/* At powers of two, everything is checked. */
		if ((i & (i - 1)) == 0 || i == total - 1) {
			for (j = 0; j <= i; j++) {
				snprintf(path, sizeof(path), "/g%u/%u", j % 7,
				    j);
				n = store_lookup(st, path);
				if ((n == NULL) != (j % 3 == 0 && j + 2 <= i))
					bad++;
			}
			if (store_check(st) != 0)
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	live = total - (total + 0) / 3;
	CU_ASSERT_EQUAL(store_count(st), 1 + 7 + live);
	for (i = 0, live = 0; i < 7; i++)
		live += node_child_count(dirs[i]);
	CU_ASSERT_EQUAL(store_count(st), 1 + 7 + live);
}

static void
test_hash_growth(void)
{
	check_growth(20000);
}

static void
test_hash_growth_collisions(void)
{
	store_set_hash_bits(st, 4);
	check_growth(3000);
}

/* Values move out of the node when they outgrow it, and back. */
static void
test_data_sizes(void)
{
	struct node *n = add(lookup("/"), "v", "0123456789abcdef");
	char big[4096];
	const char *d;
	size_t len, bytes0, i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	bytes0 = store_node_bytes(n);
	CU_ASSERT_EQUAL(bytes0, store_new_node_bytes(1, 16, 1));
	CU_ASSERT_EQUAL(store_set_data(st, n, big, sizeof(big)), 0);
	d = node_data(n, &len);
	CU_ASSERT_EQUAL(len, sizeof(big));
	CU_ASSERT_EQUAL(memcmp(d, big, len), 0);
	CU_ASSERT_TRUE(store_node_bytes(n) > bytes0 + sizeof(big));
	/* From its own value: a part of it, bigger and smaller. */
	CU_ASSERT_EQUAL(store_set_data(st, n, d + 100, 3000), 0);
	d = node_data(n, &len);
	CU_ASSERT_EQUAL(len, 3000);
	CU_ASSERT_EQUAL(memcmp(d, big + 100, len), 0);
	CU_ASSERT_EQUAL(store_set_data(st, n, d + 1, 10), 0);
	d = node_data(n, &len);
	CU_ASSERT_EQUAL(len, 10);
	CU_ASSERT_EQUAL(memcmp(d, big + 101, len), 0);
	CU_ASSERT_EQUAL(store_node_bytes(n), bytes0);
	CU_ASSERT_EQUAL(store_set_data(st, n, d + 2, 8), 0);
	d = node_data(n, &len);
	CU_ASSERT_EQUAL(memcmp(d, big + 103, 8), 0);
	CU_ASSERT_EQUAL(store_set_data(st, n, NULL, 0), 0);
	node_data(n, &len);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(store_set_data(st, n, big, STORE_DATA_MAX + 1),
	    EINVAL);
	CU_ASSERT_PTR_NULL(store_add(st, n, "huge", big, STORE_DATA_MAX + 1,
	    &root_perms));
	CU_ASSERT_EQUAL(store_check(st), 0);

	/* An empty node that gets a value. */
	n = add(lookup("/"), "e", "");
	CU_ASSERT_EQUAL(store_node_bytes(n), store_new_node_bytes(1, 0, 1));
	CU_ASSERT_EQUAL(store_set_data(st, n, big, 100), 0);
	d = node_data(n, &len);
	CU_ASSERT_EQUAL(len, 100);
	CU_ASSERT_EQUAL(memcmp(d, big, len), 0);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

/* A node's bytes depend on its own name, value and perms only. */
static void
test_node_bytes(void)
{
	struct perm_entry e[] = { { 0, PERM_NONE }, { 5, PERM_READ },
	    { 6, PERM_WRITE } };
	const struct perms three = { 3, e };
	struct node *p = add(lookup("/"), "parent", "value");
	size_t b = store_node_bytes(p), small, i;
	char name[8];

	CU_ASSERT_EQUAL(b, store_new_node_bytes(6, 5, 1));
	/* A small node costs what the design says: well under 128 bytes. */
	small = store_new_node_bytes(2, 16, 1);
	CU_ASSERT_TRUE(small <= 112);
	CU_ASSERT_TRUE(small >= 80);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "c%zu", i);
		add(p, name, "");
	}
	CU_ASSERT_EQUAL(store_node_bytes(p), b);
	CU_ASSERT_EQUAL(store_set_perms(st, p, &three), 0);
	CU_ASSERT_EQUAL(store_node_bytes(p), store_new_node_bytes(6, 5, 3));
	store_remove(st, node_first_child(p), NULL, NULL);
	CU_ASSERT_EQUAL(store_node_bytes(p), store_new_node_bytes(6, 5, 3));
	CU_ASSERT_EQUAL(store_set_perms(st, p, &root_perms), 0);
	CU_ASSERT_EQUAL(store_node_bytes(p), b);
}

/* Freeing a store gives back every byte of node memory it had. */
static void
test_free_store_frees_heap(void)
{
	size_t before = store_heap_used();
	struct perm_entry e[] = { { 3, PERM_NONE }, { 4, PERM_READ } };
	const struct perms p = { 2, e };
	struct store *s2;
	struct node *n, *d;
	char name[16], big[200];
	unsigned int i;

	memset(big, 'b', sizeof(big));
	s2 = store_new(ctx, &root_perms);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_TRUE(store_heap_used() > before);
	d = store_add(s2, store_lookup(s2, "/"), "d", "", 0, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "%u", i);
		e[1].domid = 4 + i % 50;
		n = store_add(s2, d, name, name, strlen(name), &p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		if (i % 10 == 0)
			CU_ASSERT_EQUAL(store_set_data(s2, n, big, 200), 0);
	}
	CU_ASSERT_EQUAL(store_check(s2), 0);
	CU_ASSERT_EQUAL(store_check(st), 0);
	talloc_free(s2);
	CU_ASSERT_EQUAL(store_heap_used(), before);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

/*
 * Every allocation of an operation failing in turn: the operation reports
 * ENOMEM and leaves the store as it was.
 */
static void
test_alloc_failures(void)
{
	struct perm_entry e[] = { { 9, PERM_NONE }, { 10, PERM_READ },
	    { 11, PERM_READ } };
	const struct perms p = { 3, e };
	struct node *leaf, *n;
	char big[500];
	const char *d;
	unsigned int count;
	size_t used, len;
	long k;
	int err;

	memset(big, 'q', sizeof(big));
	leaf = add(lookup("/"), "leaf", "v");
	for (k = 0;; k++) {
		count = store_count(st);
		used = store_heap_used();
		/* A leaf's first child, with perms no node has yet. */
		store_fail_alloc_after(k);
		n = store_add(st, leaf, "c", "x", 1, &p);
		store_fail_alloc_after(-1);
		CU_ASSERT_EQUAL(store_check(st), 0);
		if (n != NULL)
			break;
		CU_ASSERT_EQUAL(store_count(st), count);
		CU_ASSERT_EQUAL(store_heap_used(), used);
		CU_ASSERT_EQUAL(node_child_count(leaf), 0);
		CU_ASSERT_PTR_NULL(store_child(st, leaf, "c"));
		CU_ASSERT_STRING_EQUAL(naming(10), "");
	}
	CU_ASSERT_TRUE(k >= 2);
	CU_ASSERT_STRING_EQUAL(naming(10), "/leaf/c");
	e[2].domid = 12;
	for (k = 0;; k++) {
		store_fail_alloc_after(k);
		err = store_set_perms(st, n, &p);
		store_fail_alloc_after(-1);
		CU_ASSERT_EQUAL(store_check(st), 0);
		if (err == 0)
			break;
		CU_ASSERT_EQUAL(err, ENOMEM);
		CU_ASSERT_STRING_EQUAL(naming(11), "/leaf/c");
		CU_ASSERT_STRING_EQUAL(naming(12), "");
	}
	CU_ASSERT_STRING_EQUAL(naming(11), "");
	CU_ASSERT_STRING_EQUAL(naming(12), "/leaf/c");
	for (k = 0;; k++) {
		store_fail_alloc_after(k);
		err = store_set_data(st, n, big, sizeof(big));
		store_fail_alloc_after(-1);
		CU_ASSERT_EQUAL(store_check(st), 0);
		d = node_data(n, &len);
		if (err == 0)
			break;
		CU_ASSERT_EQUAL(err, ENOMEM);
		CU_ASSERT_EQUAL(len, 1);
		CU_ASSERT_EQUAL(d[0], 'x');
	}
	CU_ASSERT_EQUAL(len, sizeof(big));
	CU_ASSERT_EQUAL(memcmp(d, big, len), 0);
	/* A failing store_new leaves nothing behind. */
	used = store_heap_used();
	for (k = 0; k < 4; k++) {
		store_fail_alloc_after(k);
		CU_ASSERT_PTR_NULL(store_new(ctx, &p));
		store_fail_alloc_after(-1);
		CU_ASSERT_EQUAL(store_heap_used(), used);
	}
}

/*
 * Nodes with equal perms share them; a perms change of one node that
 * keeps, adds or drops domids leaves the others as they were.
 */
static void
test_shared_perms(void)
{
	struct perm_entry e1[] = { { 1, PERM_NONE }, { 7, PERM_READ } };
	struct perm_entry e2[] = { { 1, PERM_NONE }, { 7, PERM_READ },
	    { 8, PERM_READ } };
	struct perm_entry e3[] = { { 2, PERM_NONE }, { 8, PERM_WRITE } };
	const struct perms p1 = { 2, e1 }, p2 = { 3, e2 }, p3 = { 2, e3 };
	struct node *x, *y, *z;

	x = store_add(st, lookup("/"), "x", "", 0, &p1);
	y = store_add(st, lookup("/"), "y", "", 0, &p1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(y);
	z = store_add(st, y, "z", "", 0, &p1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_PTR_EQUAL(node_perms(x), node_perms(y));
	CU_ASSERT_STRING_EQUAL(naming(7), "/x /y /y/z");
	/* Keep 1 and 7, add 8. */
	CU_ASSERT_EQUAL(store_set_perms(st, y, &p2), 0);
	CU_ASSERT_TRUE(perms_equal(node_perms(x), &p1));
	CU_ASSERT_TRUE(perms_equal(node_perms(y), &p2));
	CU_ASSERT_STRING_EQUAL(naming(1), "/x /y /y/z");
	CU_ASSERT_STRING_EQUAL(naming(7), "/x /y /y/z");
	CU_ASSERT_STRING_EQUAL(naming(8), "/y");
	/* Drop 1 and 7, keep 8, add 2. */
	CU_ASSERT_EQUAL(store_set_perms(st, x, &p3), 0);
	CU_ASSERT_STRING_EQUAL(naming(1), "/y /y/z");
	CU_ASSERT_STRING_EQUAL(naming(2), "/x");
	CU_ASSERT_STRING_EQUAL(naming(7), "/y /y/z");
	CU_ASSERT_STRING_EQUAL(naming(8), "/x /y");
	/* Back to a set that is still in use. */
	CU_ASSERT_EQUAL(store_set_perms(st, y, &p1), 0);
	CU_ASSERT_PTR_EQUAL(node_perms(y), node_perms(z));
	CU_ASSERT_STRING_EQUAL(naming(8), "/x");
	CU_ASSERT_EQUAL(store_check(st), 0);
	store_remove(st, y, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(naming(1), "");
	CU_ASSERT_STRING_EQUAL(naming(7), "");
	CU_ASSERT_STRING_EQUAL(naming(8), "/x");
	CU_ASSERT_STRING_EQUAL(naming(2), "/x");
	CU_ASSERT_STRING_EQUAL(naming(70000), "");
	store_remove(st, x, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(naming(8), "");
	CU_ASSERT_STRING_EQUAL(naming(0), "/");
	CU_ASSERT_EQUAL(store_check(st), 0);
}

/* Many domids, many nodes each: the index follows every change. */
static void
test_nodes_naming_many(void)
{
	struct perm_entry e[] = { { 0, PERM_NONE }, { 0, PERM_READ } };
	const struct perms p = { 2, e };
	struct node **nodes, *d, *n;
	unsigned int i, cnt, bad = 0;
	char name[16];

	d = add(lookup("/"), "d", "");
	for (i = 0; i < 3000; i++) {
		e[0].domid = 100 + i % 30;	/* owner */
		e[1].domid = 1000 + i % 7;
		snprintf(name, sizeof(name), "%u", i);
		if (store_add(st, d, name, "", 0, &p) == NULL)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(store_nodes_naming(ctx, st, 105, &nodes, &cnt), 0);
	CU_ASSERT_EQUAL(cnt, 100);
	CU_ASSERT_EQUAL(store_nodes_naming(ctx, st, 1003, &nodes, &cnt), 0);
	CU_ASSERT_EQUAL(cnt, 3000 / 7 + (3 < 3000 % 7));
	/* Every node naming 105 drops it, as at the end of a domain. */
	CU_ASSERT_EQUAL(store_nodes_naming(ctx, st, 105, &nodes, &cnt), 0);
	for (i = 0; i < cnt; i++) {
		struct perms np;

		CU_ASSERT_EQUAL_FATAL(perms_copy(ctx, node_perms(nodes[i]),
		    &np), 0);
		perms_forget_domid(&np, 105, 0);
		if (store_set_perms(st, nodes[i], &np) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(store_nodes_naming(ctx, st, 105, &nodes, &cnt), 0);
	CU_ASSERT_EQUAL(cnt, 0);
	CU_ASSERT_PTR_NULL(nodes);
	CU_ASSERT_EQUAL(store_nodes_naming(ctx, st, 0, &nodes, &cnt), 0);
	CU_ASSERT_EQUAL(cnt, 100 + 2);
	n = lookup("/d/5");
	CU_ASSERT_EQUAL(node_perms(n)->p[0].domid, 0);
	CU_ASSERT_EQUAL(store_check(st), 0);
	store_remove(st, d, NULL, NULL);
	CU_ASSERT_EQUAL(store_nodes_naming(ctx, st, 1003, &nodes, &cnt), 0);
	CU_ASSERT_EQUAL(cnt, 0);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

/*
 * Random adds, value changes and removals with names and values of every
 * size: the node heap splits and merges blocks all the time; every node
 * keeps its value and the heap stays sound.
 */
#define FUZZ_SLOTS	400

static unsigned int fuzz_seed = 12345;

static unsigned int
fuzz_rand(void)
{
	fuzz_seed = fuzz_seed * 1103515245 + 12345;
	return (fuzz_seed >> 8) & 0xffffff;
}

static void
fuzz_fill(char *buf, size_t len, unsigned int slot, unsigned int version)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(slot * 31 + version * 7 + i);
}

static void
test_heap_fuzz(void)
{
	struct node *dirs[4], *slot[FUZZ_SLOTS] = { NULL };
	unsigned int version[FUZZ_SLOTS] = { 0 }, i, k, k2, bad = 0;
	size_t vlen[FUZZ_SLOTS] = { 0 }, len, used0;
	char name[1200], *buf, *want;
	const char *d;

	buf = talloc_size(ctx, 6000);
	want = talloc_size(ctx, 6000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	used0 = store_heap_used();
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "dir%u", i);
		dirs[i] = add(lookup("/"), name, "");
	}
	for (k = 0; k < 60000; k++) {
		i = fuzz_rand() % FUZZ_SLOTS;
		if (slot[i] == NULL) {
			/* A name of 1 to ~1100 bytes, unique by its slot. */
			len = snprintf(name, sizeof(name), "s%u-", i);
			k2 = fuzz_rand() % 1100;
			memset(name + len, 'n', k2);
			name[len + k2] = '\0';
			vlen[i] = fuzz_rand() % 4 == 0 ? fuzz_rand() % 5000 :
			    fuzz_rand() % 40;
			fuzz_fill(buf, vlen[i], i, ++version[i]);
			slot[i] = store_add(st, dirs[i % 4], name, buf,
			    vlen[i], &root_perms);
			if (slot[i] == NULL)
				bad++;
		} else if (fuzz_rand() % 3 != 0) {
			vlen[i] = fuzz_rand() % 2 ? fuzz_rand() % 5000 :
			    fuzz_rand() % 40;
			fuzz_fill(buf, vlen[i], i, ++version[i]);
			if (store_set_data(st, slot[i], buf, vlen[i]) != 0)
				bad++;
		} else {
			store_remove(st, slot[i], NULL, NULL);
			slot[i] = NULL;
		}
		if (k % 5000 == 0 && store_check(st) != 0)
			bad++;
	}
	for (i = 0; i < FUZZ_SLOTS; i++) {
		if (slot[i] == NULL)
			continue;
		d = node_data(slot[i], &len);
		fuzz_fill(want, vlen[i], i, version[i]);
		if (len != vlen[i] || memcmp(d, want, len) != 0)
			bad++;
		if (store_lookup(st, path_of(slot[i])) != slot[i])
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(store_check(st), 0);
	for (i = 0; i < 4; i++)
		store_remove(st, dirs[i], NULL, NULL);
	CU_ASSERT_EQUAL(store_count(st), 1);
	CU_ASSERT_EQUAL(store_heap_used(), used0);
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
	TEST(test_store_child),
	TEST(test_collisions_few_bits),
	TEST(test_collisions_one_hash),
	TEST(test_long_paths),
	TEST(test_hash_growth),
	TEST(test_hash_growth_collisions),
	TEST(test_data_sizes),
	TEST(test_node_bytes),
	TEST(test_free_store_frees_heap),
	TEST(test_alloc_failures),
	TEST(test_shared_perms),
	TEST(test_nodes_naming_many),
	TEST(test_heap_fuzz),
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
