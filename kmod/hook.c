// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks: hand the source of each IPv4 and IPv6 packet to the
 * namespace's table, whose rules decide its fate.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>

#include "compat.h"
#include "hook.h"
#include "nf_ratelimit.h"

static const char * const hook_names[] = {
	[NF_RL_HOOK_PREROUTING] = "prerouting",
	[NF_RL_HOOK_INPUT] = "input",
};

/**
 * rl_hook_name() - name of a hook point
 * @hook: hook point
 *
 * Context: any.
 * Return: its module parameter spelling.
 */
const char *rl_hook_name(enum nf_rl_hook hook)
{
	return hook_names[hook];
}

/**
 * rl_hook_lookup() - a hook point by name
 * @name: "prerouting" or "input", as the module parameter spells it
 *
 * Context: any.
 * Return: its enum nf_rl_hook value, or -EINVAL.
 */
int rl_hook_lookup(const char *name)
{
	return sysfs_match_string(hook_names, name);
}

/*
 * Hooks usually run in softirq, but not always: NFQUEUE reinjects a packet
 * whose verdict userspace gave into the hooks after the queueing one from
 * the verdict's sendmsg() (nf_reinject()), in process context with bottom
 * halves enabled.  The table's locks are taken in softirq too, so a softirq
 * interrupting such a charge on the same CPU could spin for ever on the
 * lock it holds.  Bottom halves are off for the decision, as xt_hashlimit's
 * rcu_read_lock_bh() and nft_limit's spin_lock_bh() have them: turned off
 * here when they are not already (in_softirq(): in softirq, as it is but for
 * reinjection, testing that costs less than turning them off again).
 * netfilter's caller holds the RCU read side in both cases.
 */
static __always_inline unsigned int verdict(struct rl_net *rn,
					    const struct rl_key *key,
					    const struct sk_buff *skb,
					    const struct nf_hook_state *state)
{
	/* Parsed only if a selector rule needs it (selector.c). */
	struct rl_pkt_in pkt = {
		.skb = skb,
		.ifname = state->in ? state->in->name : NULL,
	};
	bool pass;

	if (likely(in_softirq()))
		return rl_table_charge(&rn->table, key, &pkt, skb->len) ?
		       NF_ACCEPT : NF_DROP;
	local_bh_disable();
	pass = rl_table_charge(&rn->table, key, &pkt, skb->len);
	local_bh_enable();
	return pass ? NF_ACCEPT : NF_DROP;
}

static unsigned int hook_ipv4(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct rl_net *rn = priv;
	struct rl_key key;

	rl_key_build4(&key, ip_hdr(skb)->saddr, 32);
	return verdict(rn, &key, skb, state);
}

static unsigned int hook_ipv6(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct rl_net *rn = priv;
	struct rl_key key;

	rl_key_build6(&key, &ipv6_hdr(skb)->saddr, 128);
	return verdict(rn, &key, skb, state);
}

/**
 * rl_hook_register() - attach the hooks of a namespace
 * @net: the namespace
 * @rn: its state, whose table must be ready for packets
 *
 * Return: 0 or a negative errno from netfilter.
 */
int rl_hook_register(struct net *net, struct rl_net *rn)
{
	unsigned int hooknum = rn->cfg.hook == NF_RL_HOOK_INPUT ?
			       NF_INET_LOCAL_IN : NF_INET_PRE_ROUTING;
	int err;

	rn->ops[0] = (struct nf_hook_ops) {
		.hook = hook_ipv4,
		.pf = NFPROTO_IPV4,
		.hooknum = hooknum,
		.priority = rn->cfg.priority,
		.priv = rn,
	};
	rn->ops[1] = (struct nf_hook_ops) {
		.hook = hook_ipv6,
		.pf = NFPROTO_IPV6,
		.hooknum = hooknum,
		.priority = rn->cfg.priority,
		.priv = rn,
	};
	err = nf_register_net_hooks(net, rn->ops, ARRAY_SIZE(rn->ops));
	if (!err)
		rn->hooks_registered = true;
	return err;
}

/**
 * rl_hook_unregister() - detach the hooks of a namespace
 * @net: the namespace
 * @rn: its state
 *
 * Packets already inside a hook may still run: the caller waits for an RCU
 * grace period before freeing the table.
 */
void rl_hook_unregister(struct net *net, struct rl_net *rn)
{
	if (!rn->hooks_registered)
		return;
	nf_unregister_net_hooks(net, rn->ops, ARRAY_SIZE(rn->ops));
	rn->hooks_registered = false;
}
