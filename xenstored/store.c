/*
 * The node tree, built for size: about 80 bytes per small node.
 *
 * - The node heap.  Nodes, their overflow values, child list headers and
 *   perms sets live in one region of address space reserved once per
 *   process and committed as it grows, so that they refer to each other
 *   by 32-bit references (8-byte units from its start) instead of 64-bit
 *   pointers.  Its allocator is a two-level segregated fit (TLSF): free
 *   blocks are coalesced with their neighbours at once, found in O(1)
 *   through two levels of bitmaps, and a block costs 4 bytes of header.
 *   Free memory at the top is given back to the kernel.
 * - A node is one block: fixed fields, then its value (inline, with the
 *   block's rounding as spare room; a value that outgrows it moves to a
 *   block of its own), then its name.  No path: a node is found by the
 *   hash of its full path, computed from its parent's hash and its name,
 *   and a candidate is confirmed by comparing names up its parent chain.
 * - The hash table is chained through the nodes, with a bucket array of
 *   references; it doubles past two nodes per bucket, and moves the old
 *   buckets over a few at a time, on later insertions and removals.
 * - Children: an intrusive list in creation order (the first child's prev
 *   is the last child), whose head, count and name bytes live in a small
 *   block that only nodes with children have.
 * - Perms are interned: nodes with equal perms share one perms set, which
 *   lists its nodes.  Each set is linked, once per distinct domid it names,
 *   into that domid's list, so that the nodes naming a domid are found in
 *   time proportional to their number.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

#if defined(__SANITIZE_ADDRESS__)
#define STORE_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STORE_ASAN	1
#endif
#endif

/* Free heap memory is poisoned for AddressSanitizer. */
#ifdef STORE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

/*
 * The node heap.  A reference is an offset in 8-byte units; 0 is NULL, so
 * blocks start at offset 8.  A block is a multiple of 8 bytes, 8-aligned;
 * its first 4 bytes are its header (size in units << 2, flags), which
 * every structure allocated here reserves as its first member.  A free
 * block holds the references of its list neighbours after the header and
 * its size in its last 4 bytes, so that the block after it can find it.
 */
typedef uint32_t ref_t;

#define H_FREE		0x1u	/* this block is free */
#define H_PREV_FREE	0x2u	/* the block just below is free */
#define H_UNITS(h)	((h) >> 2)
#define MIN_UNITS	2	/* header, two list references, footer */

#define SL_LOG2		4	/* second-level lists per power of two */
#define SL_COUNT	(1u << SL_LOG2)
#define FL_COUNT	30	/* first levels: sizes below 2^33 units */
#define SMALL_UNITS	SL_COUNT	/* below: one list per size */

/* At most 8 GiB, so that any block's size fits the header's 30 bits. */
#if SIZE_MAX > 0xffffffffu
#define HEAP_MAX	((size_t)1 << 33)
#else
#define HEAP_MAX	((size_t)1 << 30)
#endif
#define HEAP_MIN	((size_t)1 << 26)
#define COMMIT_STEP	((size_t)1 << 20)
#define TRIM_SLACK	((size_t)1 << 20)	/* free top kept resident */

struct freeblk {
	uint32_t	hdr;
	ref_t		next, prev;
};

static struct heap {
	char		*base;		/* NULL until the first allocation */
	size_t		 reserved;
	size_t		 committed;
	size_t		 top;		/* blocks lie in [8, top) */
	size_t		 touched;	/* resident up to here, at most */
	size_t		 used;		/* bytes in allocated blocks */
	uint32_t	 fl_map;
	uint32_t	 sl_map[FL_COUNT];
	ref_t		 heads[FL_COUNT][SL_COUNT];
} H;

/* Failure injection (store_fail_alloc_after()): < 0 is off. */
static long fail_after = -1;

static bool
alloc_fails(void)
{
	if (fail_after < 0)
		return false;
	if (fail_after == 0)
		return true;
	fail_after--;
	return false;
}

static inline void *
ptr(ref_t r)
{
	return r == 0 ? NULL : H.base + ((size_t)r << 3);
}

static inline ref_t
ref(const void *p)
{
	return p == NULL ? 0 : (ref_t)(((const char *)p - H.base) >> 3);
}

static inline uint32_t *
hdr_at(size_t off)
{
	return (uint32_t *)(void *)(H.base + off);
}

static inline size_t
off_of(const void *p)
{
	return (size_t)((const char *)p - H.base);
}

static int
fls32(uint32_t x)
{
	return 31 - __builtin_clz(x);
}

/* The list a free block of u units belongs to. */
static void
map_insert(uint32_t u, unsigned int *fl, unsigned int *sl)
{
	int f;

	if (u < SMALL_UNITS) {
		*fl = 0;
		*sl = u;
		return;
	}
	f = fls32(u);
	*fl = f - SL_LOG2 + 1;
	*sl = (u >> (f - SL_LOG2)) & (SL_COUNT - 1);
}

/* The first list whose every block has at least u units. */
static void
map_search(uint32_t u, unsigned int *fl, unsigned int *sl)
{
	if (u >= SMALL_UNITS)
		u += (1u << (fls32(u) - SL_LOG2)) - 1;
	map_insert(u, fl, sl);
}

static void
list_insert(struct freeblk *b)
{
	unsigned int fl, sl;
	struct freeblk *h;

	map_insert(H_UNITS(b->hdr), &fl, &sl);
	b->prev = 0;
	b->next = H.heads[fl][sl];
	if ((h = ptr(b->next)) != NULL)
		h->prev = ref(b);
	H.heads[fl][sl] = ref(b);
	H.fl_map |= 1u << fl;
	H.sl_map[fl] |= 1u << sl;
}

static void
list_remove(struct freeblk *b)
{
	unsigned int fl, sl;
	struct freeblk *n;

	map_insert(H_UNITS(b->hdr), &fl, &sl);
	if ((n = ptr(b->next)) != NULL)
		n->prev = b->prev;
	if (b->prev != 0)
		((struct freeblk *)ptr(b->prev))->next = b->next;
	else if ((H.heads[fl][sl] = b->next) == 0) {
		H.sl_map[fl] &= ~(1u << sl);
		if (H.sl_map[fl] == 0)
			H.fl_map &= ~(1u << fl);
	}
}

/* Mark a block of u units at off free, with its footer, and list it. */
static void
make_free(size_t off, uint32_t u)
{
	struct freeblk *b = (struct freeblk *)(void *)(H.base + off);

	b->hdr = u << 2 | H_FREE;
	*hdr_at(off + ((size_t)u << 3) - 4) = u;
	list_insert(b);
	/* All but the list links and the granule of the footer. */
	if (u > MIN_UNITS)
		POISON(H.base + off + sizeof(*b),
		    ((size_t)u << 3) - sizeof(*b) - 8);
}

static int
heap_init(void)
{
	size_t size;
	void *p;

	for (size = HEAP_MAX; size >= HEAP_MIN; size >>= 1) {
		p = mmap(NULL, size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p != MAP_FAILED) {
			H.base = p;
			H.reserved = size;
			H.top = H.touched = 8;
			return 0;
		}
	}
	return ENOMEM;
}

/* Make [8, want) writable.  Returns 0 or ENOMEM. */
static int
heap_commit(size_t want)
{
	size_t to;

	if (want <= H.committed)
		return 0;
	if (want > H.reserved)
		return ENOMEM;
	to = (want + COMMIT_STEP - 1) & ~(COMMIT_STEP - 1);
	if (to > H.reserved)
		to = H.reserved;
	if (mprotect(H.base + H.committed, to - H.committed,
	    PROT_READ | PROT_WRITE) != 0)
		return ENOMEM;
	POISON(H.base + H.committed, to - H.committed);
	H.committed = to;
	return 0;
}

/*
 * A block of at least bytes (its first 4 bytes are the header), or NULL
 * for ENOMEM.
 */
static void *
heap_alloc(size_t bytes)
{
	unsigned int fl, sl;
	uint32_t u, bu, bits;
	struct freeblk *b;
	size_t off;

	if (alloc_fails() || (H.base == NULL && heap_init() != 0))
		return NULL;
	if (bytes > ((size_t)1 << 32))
		return NULL;
	u = (uint32_t)((bytes + 7) >> 3);
	if (u < MIN_UNITS)
		u = MIN_UNITS;
	map_search(u, &fl, &sl);
	b = NULL;
	if (fl < FL_COUNT) {
		bits = H.sl_map[fl] & (~0u << sl);
		if (bits == 0 && fl + 1 < FL_COUNT &&
		    (bits = H.fl_map & (~0u << (fl + 1))) != 0) {
			fl = __builtin_ctz(bits);
			bits = H.sl_map[fl];
		}
		if (bits != 0)
			b = ptr(H.heads[fl][__builtin_ctz(bits)]);
	}
	if (b != NULL) {
		list_remove(b);
		off = off_of(b);
		bu = H_UNITS(b->hdr);
		UNPOISON(H.base + off, (size_t)bu << 3);
		if (bu - u >= MIN_UNITS) {
			/* The block after the rest keeps H_PREV_FREE. */
			make_free(off + ((size_t)u << 3), bu - u);
			bu = u;
		} else
			*hdr_at(off + ((size_t)bu << 3)) &= ~H_PREV_FREE;
	} else {
		/* The block below the top is never free. */
		off = H.top;
		bu = u;
		if (heap_commit(off + ((size_t)u << 3)) != 0)
			return NULL;
		UNPOISON(H.base + off, (size_t)u << 3);
		H.top += (size_t)u << 3;
		if (H.top > H.touched)
			H.touched = H.top;
	}
	*hdr_at(off) = bu << 2;
	H.used += (size_t)bu << 3;
	return H.base + off;
}

static size_t
heap_size(const void *p)
{
	return (size_t)H_UNITS(*(const uint32_t *)p) << 3;
}

static void
heap_free(void *p)
{
	size_t off, next, page;
	uint32_t h, u, pu;

	if (p == NULL)
		return;
	off = off_of(p);
	h = *hdr_at(off);
	u = H_UNITS(h);
	H.used -= (size_t)u << 3;
	next = off + ((size_t)u << 3);
	if (h & H_PREV_FREE) {
		pu = *hdr_at(off - 4);
		off -= (size_t)pu << 3;
		list_remove((struct freeblk *)(void *)(H.base + off));
		u += pu;
	}
	if (next == H.top) {
		H.top = off;
		POISON(H.base + off, next - off);
		if (H.touched - H.top > 2 * TRIM_SLACK) {
			page = (H.top + TRIM_SLACK + 4095) & ~(size_t)4095;
			madvise(H.base + page, H.touched - page, MADV_DONTNEED);
			H.touched = page;
		}
		return;
	}
	h = *hdr_at(next);
	if (h & H_FREE) {
		list_remove((struct freeblk *)(void *)(H.base + next));
		u += H_UNITS(h);
	}
	make_free(off, u);
	*hdr_at(off + ((size_t)u << 3)) |= H_PREV_FREE;
}

/* Problems in the heap's blocks and lists, each logged. */
static unsigned int
heap_check(void)
{
	unsigned int problems = 0, fl, sl, mfl, msl;
	size_t off, nfree = 0, listed = 0, used = 0;
	uint32_t h, u;
	bool prev_free = false;
	struct freeblk *b;

	if (H.base == NULL)
		return 0;
	for (off = 8; off < H.top; off += (size_t)u << 3) {
		h = *hdr_at(off);
		u = H_UNITS(h);
		if (u < MIN_UNITS || off + ((size_t)u << 3) > H.top ||
		    !(h & H_PREV_FREE) != !prev_free) {
			log_warnx("check: heap block at %zu is damaged", off);
			return problems + 1;
		}
		if (h & H_FREE) {
			nfree++;
			if (prev_free ||
			    *hdr_at(off + ((size_t)u << 3) - 4) != u ||
			    off + ((size_t)u << 3) == H.top) {
				log_warnx("check: free heap block at %zu is "
				    "not coalesced or has a bad footer", off);
				problems++;
			}
		} else
			used += (size_t)u << 3;
		prev_free = h & H_FREE;
	}
	if (used != H.used) {
		log_warnx("check: heap: %zu bytes in blocks, %zu counted",
		    used, H.used);
		problems++;
	}
	for (fl = 0; fl < FL_COUNT; fl++)
		for (sl = 0; sl < SL_COUNT; sl++) {
			if ((H.heads[fl][sl] != 0) !=
			    ((H.sl_map[fl] >> sl) & 1) ||
			    (H.sl_map[fl] != 0) != ((H.fl_map >> fl) & 1)) {
				log_warnx("check: heap list bitmaps are wrong");
				problems++;
			}
			for (b = ptr(H.heads[fl][sl]); b != NULL;
			    b = ptr(b->next)) {
				map_insert(H_UNITS(b->hdr), &mfl, &msl);
				if (!(b->hdr & H_FREE) || mfl != fl ||
				    msl != sl || (b->next != 0 &&
				    ((struct freeblk *)ptr(b->next))->prev !=
				    ref(b)) || ++listed > nfree)
					break;
			}
			if (b != NULL) {
				log_warnx("check: heap free list %u/%u is "
				    "damaged", fl, sl);
				return problems + 1;
			}
		}
	if (listed != nfree) {
		log_warnx("check: heap: %zu free blocks, %zu listed", nfree,
		    listed);
		problems++;
	}
	return problems;
}

size_t
store_heap_used(void)
{
	return H.used;
}

void
store_fail_alloc_after(long n)
{
	fail_after = n;
}

/* malloc-family allocations of the module go through this too. */
static void *
zalloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : calloc(n, size);
}

/*
 * The store's structures.  All references are heap references (ref_t).
 */

/* A node's children: only nodes that have some have one. */
struct dir {
	uint32_t	 hdr;
	ref_t		 first;		/* its prev is the last child */
	uint32_t	 count;
	uint32_t	 bytes;		/* names, each with its nul */
};

/* A perms set's place in the list of one domid it names. */
struct pset_link {
	ref_t		 pset;
	ref_t		 next, prev;
	uint32_t	 domid;
};

/* Perms shared by every node that has them. */
struct pset {
	uint32_t	 hdr;
	uint32_t	 hash;
	struct perms	 perms;		/* .p: the entries after link[] */
	ref_t		 hnext;		/* perms set hash chain */
	ref_t		 nodes;		/* list through node.pnext */
	uint32_t	 nnodes;
	uint32_t	 nids;		/* distinct domids: link[] */
	struct pset_link link[];
};

struct node {
	uint32_t	 hdr;
	uint32_t	 hash;		/* of the full path */
	uint64_t	 gen;
	uint64_t	 child_gen;
	ref_t		 parent;
	ref_t		 next, prev;	/* siblings; see struct dir */
	ref_t		 dir;
	ref_t		 hnext;		/* hash chain */
	ref_t		 pset;
	ref_t		 pnext, pprev;	/* the perms set's nodes */
	uint16_t	 len;		/* of the value */
	uint16_t	 icap;		/* inline room for it, >= 4 */
	/*
	 * icap bytes: the value, or, when len > icap, the reference of the
	 * block holding it; then the name and its nul.
	 */
	char		 tail[];
};

#define NODE_FIXED	offsetof(struct node, tail)
_Static_assert(offsetof(struct node, tail) == 60, "node layout");
#define EXT_FIXED	4		/* header of a value's own block */
#define HASH_MIN	64		/* buckets */
#define DOMID_PAGE	256

struct store {
	struct node	*root;
	uint64_t	 gen;
	uint64_t	 seed;
	uint32_t	 hash_mask;
	unsigned int	 count;
	size_t		 bytes;		/* heap bytes held */
	/* Node hash; while it grows, old buckets >= mig are still in use. */
	ref_t		*tab, *old;
	uint32_t	 tab_mask, old_mask, mig;
	/* Perms sets by content. */
	ref_t		*ptab;
	uint32_t	 ptab_mask;
	unsigned int	 npsets;
	/* Per domid, the first link of its list: byid[domid >> 8][& 255]. */
	ref_t		*byid[(PERMS_DOMID_MAX + 1) / DOMID_PAGE];
};

static void *
st_alloc(struct store *st, size_t bytes)
{
	void *p = heap_alloc(bytes);

	if (p != NULL)
		st->bytes += heap_size(p);
	return p;
}

static void
st_free(struct store *st, void *p)
{
	if (p == NULL)
		return;
	st->bytes -= heap_size(p);
	heap_free(p);
}

/*
 * Hashes: keyed by a per-store random seed so that clients cannot choose
 * colliding paths.  A path's hash is its parent's hash stepped over its
 * last name.
 */
static inline uint64_t
mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 32;
	return h;
}

static uint32_t
hash_step(const struct store *st, uint32_t h0, const char *name, size_t len)
{
	uint64_t h, w;

	h = mix(st->seed ^ ((uint64_t)h0 << 16) ^ len);
	for (; len >= 8; name += 8, len -= 8) {
		memcpy(&w, name, 8);
		h = mix(h ^ w);
	}
	w = 0;
	memcpy(&w, name, len);
	return (uint32_t)mix(h ^ w ^ st->seed) & st->hash_mask;
}

static uint32_t
hash_perms(const struct store *st, const struct perms *p)
{
	uint64_t h = mix(st->seed ^ p->num);
	unsigned int i;

	for (i = 0; i < p->num; i++)
		h = mix(h ^ ((uint64_t)p->p[i].domid << 8 | p->p[i].perms));
	return (uint32_t)h;
}

/*
 * Node accessors of the layout.
 */
static inline const char *
nname(const struct node *n)
{
	return n->tail + n->icap;
}

static inline struct node *
nparent(const struct node *n)
{
	return ptr(n->parent);
}

static inline ref_t
ext_ref(const struct node *n)
{
	ref_t r;

	memcpy(&r, n->tail, sizeof(r));
	return r;
}

static inline struct dir *
ndir(const struct node *n)
{
	return ptr(n->dir);
}

static inline struct pset *
npset(const struct node *n)
{
	return ptr(n->pset);
}

/* Inline room of a new node: len plus the block's rounding, >= 4. */
static size_t
new_icap(size_t name_len, size_t len)
{
	size_t total = NODE_FIXED + len + name_len + 1, icap;

	if (len < sizeof(ref_t)) {
		total += sizeof(ref_t) - len;
		len = sizeof(ref_t);
	}
	icap = len + (((total + 7) & ~(size_t)7) - total);
	return icap > UINT16_MAX ? UINT16_MAX : icap;
}

static size_t
node_block_bytes(size_t name_len, size_t icap)
{
	return (NODE_FIXED + icap + name_len + 1 + 7) & ~(size_t)7;
}

static size_t
ext_block_bytes(size_t len)
{
	size_t b = (EXT_FIXED + len + 7) & ~(size_t)7;

	return b < MIN_UNITS * 8 ? MIN_UNITS * 8 : b;
}

static size_t
perms_bytes(unsigned int nperms)
{
	return nperms * (sizeof(struct perm_entry) + sizeof(struct pset_link));
}

size_t
store_node_bytes(const struct node *n)
{
	size_t b;

	b = node_block_bytes(strlen(nname(n)), n->icap) + sizeof(ref_t) +
	    perms_bytes(npset(n)->perms.num);
	if (n->len > n->icap)
		b += ext_block_bytes(n->len);
	return b;
}

size_t
store_new_node_bytes(size_t name_len, size_t len, unsigned int nperms)
{
	return node_block_bytes(name_len, new_icap(name_len, len)) +
	    sizeof(ref_t) + perms_bytes(nperms);
}

/*
 * The node hash table.
 */
static ref_t *
bucket(const struct store *st, uint32_t h)
{
	if (st->old != NULL && (h & st->old_mask) >= st->mig)
		return &st->old[h & st->old_mask];
	return &st->tab[h & st->tab_mask];
}

/* Move up to steps old buckets to the new table. */
static void
migrate(struct store *st, unsigned int steps)
{
	struct node *n;
	ref_t r, *b;

	while (st->old != NULL && steps-- > 0) {
		r = st->old[st->mig];
		while ((n = ptr(r)) != NULL) {
			r = n->hnext;
			b = &st->tab[n->hash & st->tab_mask];
			n->hnext = *b;
			*b = ref(n);
		}
		st->old[st->mig] = 0;
		if (st->mig++ == st->old_mask) {
			free(st->old);
			st->old = NULL;
		}
	}
}

static void
hash_insert(struct store *st, struct node *n)
{
	ref_t *b, *t;

	migrate(st, 2);
	b = bucket(st, n->hash);
	n->hnext = *b;
	*b = ref(n);
	/*
	 * Past two nodes per bucket, double.  The old buckets are moved two
	 * per insertion or removal, so they are all moved well before the
	 * next doubling.  Without memory for it, chains just grow longer.
	 */
	if (st->old == NULL && st->count > 2 * (size_t)st->tab_mask + 2 &&
	    st->tab_mask < UINT32_MAX / 4 &&
	    (t = zalloc(2 * ((size_t)st->tab_mask + 1), sizeof(*t))) != NULL) {
		st->old = st->tab;
		st->old_mask = st->tab_mask;
		st->tab = t;
		st->tab_mask = 2 * st->tab_mask + 1;
		st->mig = 0;
	}
}

static void
hash_remove(struct store *st, struct node *n)
{
	ref_t *p, r = ref(n);

	for (p = bucket(st, n->hash); *p != r && *p != 0;
	    p = &((struct node *)ptr(*p))->hnext)
		continue;
	if (*p == r)
		*p = n->hnext;
	migrate(st, 2);
}

/*
 * Perms sets and the domid index.
 */
static ref_t *
domid_head(const struct store *st, unsigned int domid)
{
	ref_t *page = st->byid[domid / DOMID_PAGE];

	return page == NULL ? NULL : &page[domid % DOMID_PAGE];
}

static struct perm_entry *
pset_entries(struct pset *ps)
{
	return (struct perm_entry *)(void *)&ps->link[ps->nids];
}

static bool
pset_is(const struct pset *ps, uint32_t h, const struct perms *p)
{
	return ps->hash == h && perms_equal(&ps->perms, p);
}

static void
pset_table_grow(struct store *st)
{
	uint32_t mask = 2 * st->ptab_mask + 1, i;
	struct pset *ps;
	ref_t *t, r, next;

	if ((t = zalloc((size_t)mask + 1, sizeof(*t))) == NULL)
		return;		/* longer chains */
	for (i = 0; i <= st->ptab_mask; i++)
		for (r = st->ptab[i]; r != 0; r = next) {
			ps = ptr(r);
			next = ps->hnext;
			ps->hnext = t[ps->hash & mask];
			t[ps->hash & mask] = r;
		}
	free(st->ptab);
	st->ptab = t;
	st->ptab_mask = mask;
}

/*
 * The perms set equal to p, made (with no nodes) if there is none.  NULL:
 * ENOMEM, and nothing changed (but for empty domid pages, harmless).
 */
static struct pset *
pset_get(struct store *st, const struct perms *p)
{
	uint32_t h = hash_perms(st, p);
	unsigned int i, j, nids, domid;
	struct pset_link *l;
	struct perm_entry *e;
	struct pset *ps;
	ref_t *head;

	for (ps = ptr(st->ptab[h & st->ptab_mask]); ps != NULL;
	    ps = ptr(ps->hnext))
		if (pset_is(ps, h, p))
			return ps;
	if (p->num == 0 || p->num > UINT16_MAX)
		return NULL;
	for (i = nids = 0; i < p->num; i++) {
		for (j = 0; j < i && p->p[j].domid != p->p[i].domid; j++)
			continue;
		if (j < i)
			continue;	/* named before */
		nids++;
		domid = p->p[i].domid;
		if (st->byid[domid / DOMID_PAGE] == NULL &&
		    (st->byid[domid / DOMID_PAGE] = zalloc(DOMID_PAGE,
		    sizeof(ref_t))) == NULL)
			return NULL;
	}
	ps = st_alloc(st, sizeof(*ps) + nids * sizeof(ps->link[0]) +
	    p->num * sizeof(*e));
	if (ps == NULL)
		return NULL;
	ps->hash = h;
	ps->nodes = 0;
	ps->nnodes = 0;
	ps->nids = nids;
	e = pset_entries(ps);
	memset(e, 0, p->num * sizeof(*e));	/* the padding too */
	for (i = j = 0; i < p->num; i++) {
		e[i].domid = p->p[i].domid;
		e[i].perms = p->p[i].perms;
		if (perms_names(&(struct perms){ i, e }, e[i].domid))
			continue;
		l = &ps->link[j++];
		l->pset = ref(ps);
		l->domid = e[i].domid;
		head = domid_head(st, l->domid);
		l->prev = 0;
		l->next = *head;
		if (*head != 0)
			((struct pset_link *)ptr(*head))->prev = ref(l);
		*head = ref(l);
	}
	ps->perms.num = p->num;
	ps->perms.p = e;
	ps->hnext = st->ptab[h & st->ptab_mask];
	st->ptab[h & st->ptab_mask] = ref(ps);
	if (++st->npsets > 2 * (size_t)st->ptab_mask + 2)
		pset_table_grow(st);
	return ps;
}

/* Free a perms set that no node uses any more. */
static void
pset_put(struct store *st, struct pset *ps)
{
	struct pset_link *l;
	unsigned int i;
	ref_t *p;

	if (ps->nnodes != 0)
		return;
	for (i = 0; i < ps->nids; i++) {
		l = &ps->link[i];
		if (l->next != 0)
			((struct pset_link *)ptr(l->next))->prev = l->prev;
		if (l->prev != 0)
			((struct pset_link *)ptr(l->prev))->next = l->next;
		else
			*domid_head(st, l->domid) = l->next;
	}
	for (p = &st->ptab[ps->hash & st->ptab_mask]; *p != ref(ps);
	    p = &((struct pset *)ptr(*p))->hnext)
		continue;
	*p = ps->hnext;
	st->npsets--;
	st_free(st, ps);
}

static void
pset_attach(struct pset *ps, struct node *n)
{
	n->pset = ref(ps);
	n->pprev = 0;
	n->pnext = ps->nodes;
	if (ps->nodes != 0)
		((struct node *)ptr(ps->nodes))->pprev = ref(n);
	ps->nodes = ref(n);
	ps->nnodes++;
}

static void
pset_detach(struct pset *ps, struct node *n)
{
	if (n->pnext != 0)
		((struct node *)ptr(n->pnext))->pprev = n->pprev;
	if (n->pprev != 0)
		((struct node *)ptr(n->pprev))->pnext = n->pnext;
	else
		ps->nodes = n->pnext;
	ps->nnodes--;
	n->pset = 0;
}

/*
 * Nodes.
 */
uint64_t
store_next_gen(struct store *st)
{
	return ++st->gen;
}

/*
 * A new node, in no list, with its perms set attached.  NULL: ENOMEM (or
 * too much data), nothing changed.
 */
static struct node *
node_new(struct store *st, uint32_t hash, const char *name, size_t name_len,
    const void *data, size_t len, const struct perms *perms)
{
	struct pset *ps;
	struct node *n;
	size_t icap;

	if (len > STORE_DATA_MAX)
		return NULL;
	icap = new_icap(name_len, len);
	if ((n = st_alloc(st, node_block_bytes(name_len, icap))) == NULL)
		return NULL;
	if ((ps = pset_get(st, perms)) == NULL) {
		st_free(st, n);
		return NULL;
	}
	n->hash = hash;
	n->gen = n->child_gen = store_next_gen(st);
	n->parent = n->next = n->prev = n->dir = n->hnext = 0;
	n->len = len;
	n->icap = icap;
	if (len > 0)
		memcpy(n->tail, data, len);
	memcpy(n->tail + icap, name, name_len);
	n->tail[icap + name_len] = '\0';
	pset_attach(ps, n);
	return n;
}

/* Free a node that is in no list but its perms set's. */
static void
node_free(struct store *st, struct node *n)
{
	struct pset *ps = npset(n);

	pset_detach(ps, n);
	pset_put(st, ps);
	if (n->len > n->icap)
		st_free(st, ptr(ext_ref(n)));
	st_free(st, ndir(n));
	st_free(st, n);
}

/* Free the nodes of one bucket chain, in no other order. */
static void
free_chain(struct store *st, ref_t r)
{
	struct node *n;

	while ((n = ptr(r)) != NULL) {
		r = n->hnext;
		if (n->len > n->icap)
			st_free(st, ptr(ext_ref(n)));
		st_free(st, ndir(n));
		st_free(st, n);
	}
}

static int
store_destroy(struct store *st)
{
	struct pset *ps;
	uint32_t i;
	ref_t r;

	/* Every node is in the hash: free them bucket by bucket. */
	for (i = 0; st->old != NULL && i <= st->old_mask; i++)
		free_chain(st, st->old[i]);
	for (i = 0; st->tab != NULL && i <= st->tab_mask; i++)
		free_chain(st, st->tab[i]);
	for (i = 0; st->ptab != NULL && i <= st->ptab_mask; i++)
		for (r = st->ptab[i]; (ps = ptr(r)) != NULL;) {
			r = ps->hnext;
			st_free(st, ps);
		}
	for (i = 0; i < sizeof(st->byid) / sizeof(st->byid[0]); i++)
		free(st->byid[i]);
	free(st->old);
	free(st->tab);
	free(st->ptab);
	return 0;
}

static uint64_t
new_seed(void)
{
	struct timespec ts;
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
	    (uint64_t)getpid() << 48 ^ (uint64_t)(uintptr_t)&ts;
}

struct store *
store_new(TALLOC_CTX *ctx, const struct perms *root_perms)
{
	struct store *st;

	if (alloc_fails() || (st = talloc_zero(ctx, struct store)) == NULL)
		return NULL;
	talloc_set_destructor(st, store_destroy);
	st->seed = new_seed();
	st->hash_mask = UINT32_MAX;
	st->tab_mask = HASH_MIN - 1;
	st->ptab_mask = 15;
	if ((st->tab = zalloc(HASH_MIN, sizeof(ref_t))) == NULL ||
	    (st->ptab = zalloc(16, sizeof(ref_t))) == NULL ||
	    (st->root = node_new(st, (uint32_t)(st->seed >> 32), "", 0, NULL,
	    0, root_perms)) == NULL) {
		talloc_free(st);
		return NULL;
	}
	hash_insert(st, st->root);
	st->count = 1;
	return st;
}

void
store_set_hash_bits(struct store *st, unsigned int bits)
{
	ref_t *b;

	hash_remove(st, st->root);
	st->hash_mask = bits >= 32 ? UINT32_MAX : (1u << bits) - 1;
	st->root->hash &= st->hash_mask;
	b = bucket(st, st->root->hash);
	st->root->hnext = *b;
	*b = ref(st->root);
}

/* Is n the node at path[0, end)?  Compares names up the parent chain. */
static bool
node_is(const struct store *st, const struct node *n, const char *path,
    const char *end)
{
	const char *name;
	size_t l;

	for (; n != st->root; n = nparent(n)) {
		name = nname(n);
		l = strlen(name);
		if ((size_t)(end - path) < l + 1 ||
		    end[-(ptrdiff_t)l - 1] != '/' ||
		    memcmp(end - l, name, l) != 0)
			return false;
		end -= l + 1;
	}
	return end == path;
}

struct node *
store_lookup(const struct store *st, const char *path)
{
	const char *p, *e;
	struct node *n;
	uint32_t h;

	if (path[0] != '/')
		return NULL;
	if (path[1] == '\0')
		return st->root;
	h = st->root->hash;
	for (p = path + 1;; p = e + 1) {
		for (e = p; *e != '/' && *e != '\0'; e++)
			continue;
		if (e == p)
			return NULL;	/* "//" or a trailing '/' */
		h = hash_step(st, h, p, e - p);
		if (*e == '\0')
			break;
	}
	for (n = ptr(*bucket(st, h)); n != NULL; n = ptr(n->hnext))
		if (n->hash == h && node_is(st, n, path, e))
			return n;
	return NULL;
}

struct node *
store_child(const struct store *st, const struct node *parent,
    const char *name)
{
	size_t l = strlen(name);
	struct node *n;
	uint32_t h;

	h = hash_step(st, parent->hash, name, l);
	for (n = ptr(*bucket(st, h)); n != NULL; n = ptr(n->hnext))
		if (n->hash == h && nparent(n) == parent &&
		    strcmp(nname(n), name) == 0)
			return n;
	return NULL;
}

unsigned int
store_count(const struct store *st)
{
	return st->count;
}

struct node *
store_add(struct store *st, struct node *parent, const char *name,
    const void *data, size_t len, const struct perms *perms)
{
	size_t name_len = strlen(name);
	struct node *n, *first;
	struct dir *d = ndir(parent);

	if (d != NULL && d->bytes + name_len + 1 > UINT32_MAX)
		return NULL;
	n = node_new(st, hash_step(st, parent->hash, name, name_len), name,
	    name_len, data, len, perms);
	if (n == NULL)
		return NULL;
	if (d == NULL) {
		if ((d = st_alloc(st, sizeof(*d))) == NULL) {
			node_free(st, n);
			return NULL;
		}
		d->first = 0;
		d->count = d->bytes = 0;
		parent->dir = ref(d);
	}
	n->parent = ref(parent);
	if ((first = ptr(d->first)) == NULL) {
		d->first = ref(n);
		n->prev = ref(n);
	} else {
		n->prev = first->prev;
		((struct node *)ptr(first->prev))->next = ref(n);
		first->prev = ref(n);
	}
	d->count++;
	d->bytes += name_len + 1;
	parent->child_gen = store_next_gen(st);
	st->count++;
	hash_insert(st, n);
	return n;
}

int
store_set_data(struct store *st, struct node *n, const void *data, size_t len)
{
	void *ext = NULL, *old = NULL;
	ref_t r;

	if (len > STORE_DATA_MAX)
		return EINVAL;
	if (len > n->icap) {
		if ((ext = st_alloc(st, ext_block_bytes(len))) == NULL)
			return ENOMEM;
		memcpy((char *)ext + EXT_FIXED, data, len);
	}
	if (n->len > n->icap)
		old = ptr(ext_ref(n));
	if (ext != NULL) {
		r = ref(ext);
		memcpy(n->tail, &r, sizeof(r));
	} else if (len > 0)
		memmove(n->tail, data, len);
	n->len = len;
	st_free(st, old);
	n->gen = store_next_gen(st);
	return 0;
}

int
store_set_perms(struct store *st, struct node *n, const struct perms *perms)
{
	struct pset *old = npset(n), *ps;

	if ((ps = pset_get(st, perms)) == NULL)
		return ENOMEM;
	if (ps != old) {
		pset_detach(old, n);
		pset_attach(ps, n);
		pset_put(st, old);
	}
	n->gen = store_next_gen(st);
	return 0;
}

/* Take n out of its parent's child list (freeing the list when empty). */
static void
unlink_child(struct store *st, struct node *n)
{
	struct node *p = nparent(n), *first;
	struct dir *d = ndir(p);

	first = ptr(d->first);
	if (n == first) {
		d->first = n->next;
		if (n->next != 0)
			((struct node *)ptr(n->next))->prev = n->prev;
	} else {
		((struct node *)ptr(n->prev))->next = n->next;
		if (n->next != 0)
			((struct node *)ptr(n->next))->prev = n->prev;
		else
			first->prev = n->prev;
	}
	d->bytes -= strlen(nname(n)) + 1;
	if (--d->count == 0) {
		st_free(st, d);
		p->dir = 0;
	}
	n->next = n->prev = 0;
}

void
store_remove(struct store *st, struct node *n,
    void (*cb)(struct node *, void *), void *arg)
{
	struct node *cur, *victim, *parent = nparent(n);

	/*
	 * n keeps its parent link, so that the callback can still build
	 * every victim's full path.
	 */
	unlink_child(st, n);
	parent->child_gen = store_next_gen(st);

	/*
	 * Post-order without recursion: go down to a leaf, free it, and
	 * continue with what is now its parent's first child.
	 */
	cur = n;
	for (;;) {
		while (cur->dir != 0)
			cur = ptr(ndir(cur)->first);
		victim = cur;
		cur = nparent(victim);
		if (victim != n)
			unlink_child(st, victim);
		if (cb != NULL)
			cb(victim, arg);
		hash_remove(st, victim);
		st->count--;
		node_free(st, victim);
		if (victim == n)
			break;
	}
}

int
store_nodes_naming(TALLOC_CTX *ctx, const struct store *st,
    unsigned int domid, struct node ***nodes, unsigned int *n)
{
	const struct pset_link *l;
	const struct pset *ps;
	const struct node *c;
	unsigned int i = 0, count = 0;
	ref_t *head;

	*nodes = NULL;
	*n = 0;
	if (domid > PERMS_DOMID_MAX || (head = domid_head(st, domid)) == NULL)
		return 0;
	for (l = ptr(*head); l != NULL; l = ptr(l->next))
		count += ((struct pset *)ptr(l->pset))->nnodes;
	if (count == 0)
		return 0;
	if ((*nodes = talloc_array(ctx, struct node *, count)) == NULL)
		return ENOMEM;
	for (l = ptr(*head); l != NULL; l = ptr(l->next)) {
		ps = ptr(l->pset);
		for (c = ptr(ps->nodes); c != NULL && i < count;
		    c = ptr(c->pnext))
			(*nodes)[i++] = (struct node *)c;
	}
	*n = i;
	return 0;
}

void
store_walk(struct node *top, bool (*cb)(struct node *, void *), void *arg)
{
	struct node *cur = top;

	while (cur != NULL) {
		if (cb(cur, arg) && cur->dir != 0) {
			cur = ptr(ndir(cur)->first);
			continue;
		}
		/* Next sibling, or the sibling of the nearest ancestor. */
		while (cur != top && cur->next == 0)
			cur = nparent(cur);
		if (cur == top)
			break;
		cur = ptr(cur->next);
	}
}

size_t
node_path_len(const struct node *n)
{
	size_t len = 0;

	if (n->parent == 0)
		return 1;	/* "/" */
	for (; n->parent != 0; n = nparent(n))
		len += strlen(nname(n)) + 1;
	return len;
}

/* Write the path of n, len bytes and a nul, into buf. */
static void
path_fill(const struct node *n, char *buf, size_t len)
{
	size_t l;

	buf[len] = '\0';
	if (n->parent == 0) {
		buf[0] = '/';
		return;
	}
	for (; n->parent != 0; n = nparent(n)) {
		l = strlen(nname(n));
		len -= l;
		memcpy(buf + len, nname(n), l);
		buf[--len] = '/';
	}
}

char *
node_path_dup(TALLOC_CTX *ctx, const struct node *n)
{
	size_t len = node_path_len(n);
	char *buf;

	if (alloc_fails() || (buf = talloc_size(ctx, len + 1)) == NULL)
		return NULL;
	path_fill(n, buf, len);
	return buf;
}

const char *
node_name(const struct node *n)
{
	return nname(n);
}

const void *
node_data(const struct node *n, size_t *len)
{
	*len = n->len;
	if (n->len > n->icap)
		return (const char *)ptr(ext_ref(n)) + EXT_FIXED;
	return n->tail;
}

const struct perms *
node_perms(const struct node *n)
{
	return &npset(n)->perms;
}

struct node *
node_parent(const struct node *n)
{
	return nparent(n);
}

uint64_t
node_gen(const struct node *n)
{
	return n->gen;
}

uint64_t
node_child_gen(const struct node *n)
{
	return n->child_gen;
}

unsigned int
node_child_count(const struct node *n)
{
	return n->dir == 0 ? 0 : ndir(n)->count;
}

size_t
node_child_bytes(const struct node *n)
{
	return n->dir == 0 ? 0 : ndir(n)->bytes;
}

char *
node_children(TALLOC_CTX *ctx, const struct node *n, size_t *len)
{
	size_t off = 0, l, bytes = node_child_bytes(n);
	const struct node *c;
	char *buf;

	/* One spare byte so that an empty list is not a zero-size alloc. */
	if (alloc_fails() || (buf = talloc_size(ctx, bytes + 1)) == NULL)
		return NULL;
	for (c = node_first_child(n); c != NULL; c = ptr(c->next)) {
		l = strlen(nname(c)) + 1;
		memcpy(buf + off, nname(c), l);
		off += l;
	}
	*len = off;
	return buf;
}

struct node *
node_first_child(const struct node *n)
{
	return n->dir == 0 ? NULL : ptr(ndir(n)->first);
}

struct node *
node_next_sibling(const struct node *n)
{
	return ptr(n->next);
}

/*
 * store_check().
 */
struct check_state {
	const struct store	*st;
	unsigned int		 seen;
	unsigned int		 problems;
	size_t			 bytes;		/* heap bytes of the nodes */
};

static void
check_warn(struct check_state *cs, const struct node *n, const char *what)
{
	char *path = node_path_dup(NULL, n);

	log_warnx("check: %s %s", path != NULL ? path : "(a node)", what);
	talloc_free(path);
	cs->problems++;
}

static bool
check_node(struct node *n, void *arg)
{
	struct check_state *cs = arg;
	const struct store *st = cs->st;
	struct node *c, *p = nparent(n), *last = NULL;
	const struct pset *ps = npset(n);
	unsigned int count = 0;
	size_t bytes = 0;

	cs->seen++;
	cs->bytes += heap_size(n);
	if (n->len > n->icap)
		cs->bytes += heap_size(ptr(ext_ref(n)));
	if (p != NULL && (n->hash != hash_step(st, p->hash, nname(n),
	    strlen(nname(n))) || store_child(st, p, nname(n)) != n))
		check_warn(cs, n, "not found by its name");
	if (ps == NULL || ps->perms.num == 0)
		check_warn(cs, n, "has no perms");
	else if (n->pprev != 0 ? ((struct node *)ptr(n->pprev))->pnext !=
	    ref(n) : ps->nodes != ref(n))
		check_warn(cs, n, "is not in its perms set's list");
	if (n->dir != 0) {
		cs->bytes += heap_size(ndir(n));
		for (c = node_first_child(n); c != NULL; c = ptr(c->next)) {
			count++;
			bytes += strlen(nname(c)) + 1;
			if (nparent(c) != n)
				check_warn(cs, c, "has a wrong parent");
			if (last != NULL && ptr(c->prev) != last)
				check_warn(cs, c, "has a wrong prev");
			last = c;
		}
		if (count == 0 ||
		    ptr(((struct node *)ptr(ndir(n)->first))->prev) != last)
			check_warn(cs, n, "child list is damaged");
	}
	if (count != node_child_count(n) || bytes != node_child_bytes(n))
		check_warn(cs, n, "child counts are wrong");
	return true;
}

static unsigned int
check_psets(const struct store *st, size_t *bytes, unsigned int *nodes)
{
	const struct pset_link *l, *m;
	const struct pset *ps;
	const struct node *n;
	unsigned int problems = 0, count, npsets = 0, i;
	ref_t r;
	ref_t *head;

	for (i = 0; i <= st->ptab_mask; i++)
		for (r = st->ptab[i]; r != 0; r = ps->hnext) {
			ps = ptr(r);
			npsets++;
			*bytes += heap_size(ps);
			count = 0;
			for (n = ptr(ps->nodes);
			    n != NULL && count <= st->count; n = ptr(n->pnext))
				if (npset(n) != ps || ++count == 0)
					break;
			*nodes += count;
			if (count != ps->nnodes || count == 0 ||
			    (ps->hash & st->ptab_mask) != i ||
			    ps->hash != hash_perms(st, &ps->perms)) {
				log_warnx("check: perms set of %u nodes "
				    "(%u listed) is damaged", ps->nnodes,
				    count);
				problems++;
			}
			for (l = ps->link; l < ps->link + ps->nids; l++) {
				head = domid_head(st, l->domid);
				for (m = head == NULL ? NULL : ptr(*head);
				    m != NULL && m != l; m = ptr(m->next))
					continue;
				if (m == NULL || ptr(l->pset) != ps ||
				    !perms_names(&ps->perms, l->domid)) {
					log_warnx("check: domid %u index is "
					    "damaged", l->domid);
					problems++;
				}
			}
		}
	if (npsets != st->npsets) {
		log_warnx("check: %u perms sets, %u counted", npsets,
		    st->npsets);
		problems++;
	}
	return problems;
}

unsigned int
store_check(const struct store *st)
{
	struct check_state cs = { st, 0, 0, 0 };
	unsigned int hashed = 0, in_sets = 0, i;
	const struct node *n;
	ref_t r;

	store_walk(st->root, check_node, &cs);
	for (i = 0; i <= st->tab_mask; i++)
		for (r = st->tab[i]; r != 0 && hashed <= st->count;
		    r = n->hnext, hashed++)
			n = ptr(r);
	for (i = 0; st->old != NULL && i <= st->old_mask; i++)
		for (r = st->old[i]; r != 0 && hashed <= st->count;
		    r = n->hnext, hashed++)
			n = ptr(r);
	if (cs.seen != st->count || hashed != st->count) {
		log_warnx("check: %u nodes reachable, %u counted, %u hashed",
		    cs.seen, st->count, hashed);
		cs.problems++;
	}
	cs.problems += check_psets(st, &cs.bytes, &in_sets);
	if (in_sets != st->count) {
		log_warnx("check: %u nodes in perms sets, %u counted",
		    in_sets, st->count);
		cs.problems++;
	}
	if (cs.bytes != st->bytes) {
		log_warnx("check: nodes hold %zu heap bytes, %zu counted",
		    cs.bytes, st->bytes);
		cs.problems++;
	}
	return cs.problems + heap_check();
}
