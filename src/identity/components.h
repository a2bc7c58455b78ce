/*
 * components.h — connected components of a graph given as int64 edges, in
 * plain C: nodes are hashed once to dense ids, edges are unioned as they
 * arrive (never stored), and the answer comes sorted by (component, node)
 * with component = the smallest node of the component.
 *
 * Memory per distinct node: 8 (key) + 4 (parent) + 4 (size) + 8 (hash slots
 * at load <= 1/2) bytes, then 16 per node for the sorted answer.
 */
#ifndef PERSONA_COMPONENTS_H
#define PERSONA_COMPONENTS_H

#include "base/host.h"

#include <stdbool.h>

typedef struct cc_state
{
	core_host  *m;
	int64_t    *key;
	uint32_t   *parent;
	uint32_t   *size;
	uint32_t	n,
				cap;
	uint32_t   *slots;			/* node id + 1; 0 = empty */
	uint32_t	nslots;
	int64_t    *out;			/* after cc_finish: pairs (component, node) */
} cc_state;

extern void cc_init(cc_state *c, core_host *m);
extern void cc_free(cc_state *c);
/* false past 2^31 nodes */
extern bool cc_node(cc_state *c, int64_t a);
extern bool cc_edge(cc_state *c, int64_t a, int64_t b);
/* fills c->out with c->n pairs sorted by (component, node) */
extern void cc_finish(cc_state *c);

#endif
