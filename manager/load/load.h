/*
 * load.h - the pipeline every subcommand starts with: read and validate
 * both files, parse them, check them, place the VMs and merge them into
 * the desired per-host state.  Every stage runs even when an earlier one
 * found problems (on whatever could be read), so one run reports them all.
 *
 * Ownership: struct load owns everything in it; load_release() frees it
 * and accepts a zeroed struct.
 */
#ifndef VMIB_LOAD_H
#define VMIB_LOAD_H

#include "diag.h"
#include "env.h"
#include "place.h"
#include "state.h"

struct load {
	struct real_env *real;   /* NULL if the file could not be parsed */
	struct virt_env *virt;   /* likewise */
	struct placement placement;
	struct state desired;    /* empty unless both files parsed */
	struct diag diag;        /* sorted by file (real first) and line */
};

/*
 * Returns 0 (look at l->diag.n for problems) or -1 when vmibctl cannot do
 * its job at all (no schema directory, a broken schema: in l->diag).
 */
int load_files(const char *real_file, const char *virt_file, const char *schema_dir,
	       struct load *l);
int load_buffers(const char *real_name, const char *real_buf, const char *virt_name,
		 const char *virt_buf, const char *schema_dir, struct load *l);
/* the real environment file alone (l->virt stays NULL, desired empty) */
int load_real(const char *real_file, const char *schema_dir, struct load *l);
void load_release(struct load *l);

#endif
