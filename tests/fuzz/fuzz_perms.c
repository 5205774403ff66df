/*
 * xenstored/perms.c: permission strings (SET_PERMS / GET_PERMS), copy,
 * compare, forget a domain, and the access rule, on arbitrary bytes.
 *
 * Input: 9 bytes (caller domid and target, 2 bytes each; flags:
 * privileged, has_target; the domid to forget and its new owner, 2 bytes
 * each), then the perm strings as SET_PERMS carries them (nul-separated).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "framing.h"
#include "fuzz.h"
#include "perms.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned int all = PERM_READ | PERM_WRITE | PERM_OWNER;
	struct perms p, q, c, f;
	struct perm_caller caller;
	unsigned int num, i, acc, forget, owner;
	TALLOC_CTX *ctx;
	char *strs, *fmt;
	size_t len, flen;
	int err;

	if (size < 9)
		return 0;
	caller.domid = data[0] | data[1] << 8;
	caller.target = data[2] | data[3] << 8;
	caller.privileged = data[4] & 1;
	caller.has_target = data[4] & 2;
	forget = data[5] | data[6] << 8;
	owner = data[7] | data[8] << 8;
	data += 9;
	size -= 9;
	if ((strs = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(strs, data, size);
	len = size;
	ctx = talloc_new(NULL);

	/* As op_set_perms counts them: every nul-terminated string. */
	num = framing_split(strs, len, NULL, 0, NULL);
	if (caller.domid & 0x8000)
		num = caller.domid & 0xf;	/* and miscounted on purpose */
	err = perms_parse(ctx, strs, len, num, &p);
	CHECK(err == 0 || err == EINVAL);
	if (err != 0)
		goto out;
	CHECK(p.num == num && num > 0);
	for (i = 0; i < p.num; i++) {
		CHECK(p.p[i].domid <= PERMS_DOMID_MAX);
		CHECK((p.p[i].perms & ~(PERM_READ | PERM_WRITE)) == 0);
	}

	/* Format, then parse again: the same perms. */
	fmt = perms_format(ctx, &p, &flen);
	CHECK(fmt != NULL);
	CHECK(framing_split(fmt, flen, NULL, 0, NULL) == p.num);
	CHECK(flen > 0 && fmt[flen - 1] == '\0');
	CHECK(perms_parse(ctx, fmt, flen, p.num, &q) == 0);
	CHECK(perms_equal(&p, &q));
	/* A canonical string formats to itself. */
	if (num == framing_split(strs, len, NULL, 0, NULL) &&
	    len == flen && memcmp(fmt, strs, len) == 0)
		CHECK(perms_equal(&p, &q));

	CHECK(perms_copy(ctx, &p, &c) == 0);
	CHECK(c.p != p.p && perms_equal(&p, &c));
	for (i = 0; i < p.num; i++)
		CHECK(perms_names(&p, p.p[i].domid));

	/* The access rule (perm_for_conn() of C xenstored). */
	acc = perms_for(&caller, &p);
	CHECK((acc & ~all) == 0);
	if (caller.privileged || caller.domid == p.p[0].domid ||
	    (caller.has_target && caller.target == p.p[0].domid))
		CHECK(acc == all);
	else {
		CHECK(!(acc & PERM_OWNER));
		if (!perms_names(&p, caller.domid) &&
		    !(caller.has_target && perms_names(&p, caller.target)))
			CHECK(acc == p.p[0].perms);
	}

	/* Forgetting a domain: nothing but the owner slot names it. */
	CHECK(perms_copy(ctx, &p, &f) == 0);
	CHECK(perms_forget_domid(&f, forget, owner) ==
	    perms_names(&p, forget));
	CHECK(f.num >= 1 && f.num <= p.num);
	if (p.p[0].domid == forget)
		CHECK(f.p[0].domid == owner);
	for (i = 1; i < f.num; i++)
		CHECK(f.p[i].domid != forget);
	if (!perms_names(&p, forget))
		CHECK(perms_equal(&p, &f));
out:
	talloc_free(ctx);
	free(strs);
	return 0;
}
