// Applies a NetworkPlan: one batched run per tool and namespace. Every namespace is journaled before
// it is created, so a failure half-way leaves nothing that `podnet down` cannot find.
import { ipBatch, nftApply, run } from '../sys/exec.js';
import { record } from '../sys/journal.js';
import { addNetns, setSysctls } from '../sys/netns.js';
import type { NetworkPlan, NodePlan } from './network-plan.js';

export async function applyNetwork(plan: NetworkPlan, journalDir: string): Promise<void> {
  const names = [plan.underlay.netns, ...plan.nodes.map((n) => n.netns)];
  for (const name of names) record(journalDir, { type: 'netns', name });
  await addNetns(names);
  // Node uplinks are created from the underlay side (peer moved into the node namespace by name).
  await ipBatch(plan.underlay.ipBatch, { netns: plan.underlay.netns });
  await Promise.all(plan.nodes.map((node) => applyNode(node)));
}

async function applyNode(node: NodePlan): Promise<void> {
  await setSysctls(node.netns, node.sysctls);
  await ipBatch(node.ipBatch, { netns: node.netns });
  if (node.fdbBatch.length) await run('bridge', ['-batch', '-'], { input: node.fdbBatch.join('\n') + '\n', netns: node.netns });
  await nftApply(node.nft, { netns: node.netns });
}
