/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lookups on the sample model (see model.h). */
#include "model.h"

#include <stdlib.h>
#include <string.h>

const struct kv *kv_find(const struct kv_list *list, const char *name, unsigned *hint)
{
    /* callers that ask for the same keys in the same order keep a hint:
     * one comparison instead of a search */
    if (hint && *hint < list->n && strcmp(list->items[*hint].name, name) == 0)
        return &list->items[*hint];
    for (unsigned i = list->n; i-- > 0;) {   /* the last of duplicates wins, as in sadc */
        if (strcmp(list->items[i].name, name) == 0) {
            if (hint)
                *hint = i;
            return &list->items[i];
        }
    }
    return NULL;
}

uint64_t kv_get(const struct kv_list *list, const char *name)
{
    const struct kv *found = kv_find(list, name, NULL);
    return found ? found->value : 0;
}

uint64_t kv_sum_prefix(const struct kv_list *list, const char *prefix)
{
    size_t len = strlen(prefix);
    uint64_t sum = 0;
    for (unsigned i = 0; i < list->n; i++)
        if (strncmp(list->items[i].name, prefix, len) == 0)
            sum += list->items[i].value;
    return sum;
}

int kv_append(struct kv_list *list, const char *name, uint64_t value)
{
    size_t len = strlen(name);
    if (len == 0 || len >= KEY_NAME_MAX || list->n >= KV_MAX)
        return -1;
    memcpy(list->items[list->n].name, name, len + 1);
    list->items[list->n].value = value;
    list->n++;
    return 0;
}

int kv_set(struct kv_list *list, const char *name, uint64_t value)
{
    size_t len = strlen(name);
    if (len == 0 || len >= KEY_NAME_MAX)
        return -1;
    for (unsigned i = 0; i < list->n; i++) {
        if (strcmp(list->items[i].name, name) == 0) {
            list->items[i].value = value;
            return 0;
        }
    }
    if (list->n >= KV_MAX)
        return -1;
    memcpy(list->items[list->n].name, name, len + 1);
    list->items[list->n].value = value;
    list->n++;
    return 0;
}

void proc_list_clear(struct proc_list *list)
{
    for (size_t i = 0; i < list->n && !list->cmdlines_borrowed; i++) {
        free(list->procs[i].cmdline);
        free(list->procs[i].cgroup);
    }
    free(list->procs);
    memset(list, 0, sizeof *list);
}

struct proc *proc_list_add(struct proc_list *list, const struct proc *p)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 256;
        struct proc *grown = realloc(list->procs, cap * sizeof *grown);
        if (!grown)
            return NULL;
        list->procs = grown;
        list->cap = cap;
    }
    struct proc *slot = &list->procs[list->n];
    *slot = *p;
    if (!list->cmdlines_borrowed) {
        slot->cmdline = slot->cgroup = NULL;
        if ((p->cmdline && !(slot->cmdline = strdup(p->cmdline))) ||
            (p->cgroup && !(slot->cgroup = strdup(p->cgroup)))) {
            free(slot->cmdline);
            return NULL;
        }
    }
    list->n++;
    return slot;
}

void numa_list_clear(struct numa_list *list)
{
    free(list->nodes);
    memset(list, 0, sizeof *list);
}

struct swap_device *swap_list_add(struct swap_list *list)
{
    if (list->n >= SWAP_DEV_LIMIT) {
        list->dropped++;
        return NULL;
    }
    if (list->n == list->cap) {
        unsigned cap = list->cap ? list->cap * 2 : 8;
        struct swap_device *grown = realloc(list->dev, cap * sizeof *grown);
        if (!grown) {
            list->dropped++;
            return NULL;
        }
        list->dev = grown;
        list->cap = cap;
    }
    struct swap_device *d = &list->dev[list->n++];
    memset(d, 0, sizeof *d);
    return d;
}

void swap_list_reset(struct swap_list *list)
{
    list->n = 0;
    list->dropped = 0;
}

void swap_list_clear(struct swap_list *list)
{
    free(list->dev);
    memset(list, 0, sizeof *list);
}

void oom_event_list_clear(struct oom_event_list *list)
{
    free(list->events);
    memset(list, 0, sizeof *list);
}

struct oom_event *oom_event_list_add(struct oom_event_list *list, const struct oom_event *ev)
{
    if (list->n == list->cap) {
        unsigned cap = list->cap ? list->cap * 2 : 4;
        struct oom_event *grown = cap > list->cap ? realloc(list->events, cap * sizeof *grown) : NULL;
        if (!grown)
            return NULL;
        list->events = grown;
        list->cap = cap;
    }
    list->events[list->n] = *ev;
    return &list->events[list->n++];
}

struct cgroup_mem *cgroup_list_add(struct cgroup_list *list, const struct cgroup_mem *m)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        struct cgroup_mem *grown = realloc(list->items, cap * sizeof *grown);
        if (!grown)
            return NULL;
        list->items = grown;
        list->cap = cap;
    }
    struct cgroup_mem *slot = &list->items[list->n];
    *slot = *m;
    if (!(slot->path = strdup(m->path ? m->path : "")))
        return NULL;
    list->n++;
    return slot;
}

void cgroup_list_clear(struct cgroup_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i].path);
    free(list->items);
    memset(list, 0, sizeof *list);
}
