/*
 * pv-only: make a Linux vmlinux that boots both PV and PVH boot PV only,
 * for the xenstore stub domain (toolstack-hooks/stubdom/mkimage.sh).
 *
 * init-xenstore-domain (tools/helpers/init-xenstore-domain.c, Xen 4.17)
 * first parses the kernel for an HVM container, which libxenguest
 * accepts when the ELF has a XEN_ELFNOTE_PHYS32_ENTRY note
 * (xg_dom_elfloader.c), and then builds a PVH domain with HAP, which
 * fails where there is none (QEMU's TCG, old hardware) without trying
 * PV.  Debian's kernel has that note.  This program renames the note's
 * owner from "Xen" to "xen": libelf reads only notes owned by "Xen"
 * (xen/common/libelf/libelf-dominfo.c), so the PVH entry point is no
 * longer seen and the PV loader takes the image; every other byte is
 * unchanged, and readelf still shows the note for what it was.
 *
 * usage: pv-only IN OUT
 *   exit 0: OUT written, with N PHYS32_ENTRY notes renamed (N >= 1,
 *   said on stdout); 1: IN is not a 64-bit little-endian ELF, has no
 *   such note, or an I/O error (said on stderr).
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xen/include/public/elfnote.h */
#define XEN_ELFNOTE_PHYS32_ENTRY	18

static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL, *nbuf;
	size_t cap = 0, n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nbuf;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	return buf;
}

/* Rename the PHYS32_ENTRY notes in [off, off + size); how many. */
static int
rename_notes(unsigned char *img, size_t off, size_t size)
{
	size_t end = off + size, name, desc;
	Elf64_Nhdr nh;
	int n = 0;

	while (off + sizeof(nh) <= end) {
		memcpy(&nh, img + off, sizeof(nh));
		name = off + sizeof(nh);
		desc = name + ((nh.n_namesz + 3) & ~3u);
		if (desc > end || desc + nh.n_descsz > end)
			break;
		if (nh.n_namesz == 4 && memcmp(img + name, "Xen", 4) == 0 &&
		    nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
			img[name] = 'x';
			n++;
		}
		off = desc + ((nh.n_descsz + 3) & ~3u);
	}
	return n;
}

int
main(int argc, char **argv)
{
	unsigned char *img;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	size_t len, i;
	int n = 0;
	FILE *out;

	if (argc != 3) {
		fputs("usage: pv-only IN OUT\n", stderr);
		return 1;
	}
	if ((img = slurp(argv[1], &len)) == NULL) {
		fprintf(stderr, "pv-only: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (len < sizeof(eh) || memcmp(img, ELFMAG, SELFMAG) != 0 ||
	    img[EI_CLASS] != ELFCLASS64 || img[EI_DATA] != ELFDATA2LSB) {
		fprintf(stderr, "pv-only: %s: not a 64-bit little-endian "
		    "ELF\n", argv[1]);
		return 1;
	}
	memcpy(&eh, img, sizeof(eh));
	for (i = 0; i < eh.e_phnum; i++) {
		size_t at = eh.e_phoff + i * (size_t)eh.e_phentsize;

		if (eh.e_phentsize < sizeof(ph) || at > len ||
		    len - at < sizeof(ph))
			break;
		memcpy(&ph, img + at, sizeof(ph));
		if (ph.p_type == PT_NOTE && ph.p_offset <= len &&
		    ph.p_filesz <= len - ph.p_offset)
			n += rename_notes(img, ph.p_offset, ph.p_filesz);
	}
	if (n == 0) {
		fprintf(stderr, "pv-only: %s: no XEN_ELFNOTE_PHYS32_ENTRY "
		    "note\n", argv[1]);
		return 1;
	}
	if ((out = fopen(argv[2], "wb")) == NULL ||
	    fwrite(img, 1, len, out) != len || fclose(out) != 0) {
		fprintf(stderr, "pv-only: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	printf("pv-only: %d XEN_ELFNOTE_PHYS32_ENTRY note%s renamed\n", n,
	    n == 1 ? "" : "s");
	free(img);
	return 0;
}
