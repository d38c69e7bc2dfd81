/**
 * Row 11: twin deployments. Ownership belongs to a deployment (the token born
 * with the Teardown at the first apply, carried by every kernel marker), so the
 * same stack applied from two Terraform states is two deployments:
 *
 *  (a) no prefix: lab A (the workshop) is deployed; lab B, the same stack from
 *      another Terraform state, is refused BY NAME: "already exists and belongs
 *      to another deployment of this lab (deployment <A's token> ...)", with
 *      the `release`/`adopt` way out; nothing of A changes (same namespace
 *      inodes and stamps, same ifindexes, the kernel exactly A with A's
 *      markers), A's plan stays empty and A pings; destroying B leaves A all
 *      the same; destroying A leaves nothing.
 *  (b) prefixes a- and b-: both deployed, both live at once (the kernel is
 *      exactly the union, each with its own token), both ping and re-plan
 *      empty; destroyed one at a time, in both orders: the remaining one keeps
 *      every object (identities), still pings and re-plans empty; then nothing
 *      is left.
 *  (c) lost Terraform state + `cdktf-netns adopt`: the state file is deleted
 *      (a fresh CI runner); the plain apply is refused (the objects belong to
 *      the old deployment); `cdktf-netns deployments` lists it; after `adopt
 *      <old>` the next apply takes the objects over: a new token, every object
 *      kept (not re-created) and re-marked with the new token, plan empty,
 *      ping, the old deployment gone from the list; destroy leaves nothing.
 *  (d) lost Terraform state + `cdktf-netns release`: `release` of a token that
 *      is not recorded is refused and changes nothing; `release <old>` removes
 *      every object and the record (nothing left); a fresh deploy then works,
 *      and `verify` names the new deployment; destroy leaves nothing.
 */
import { Lab } from '../../../test/support/lab';
import { Sandbox } from '../../../test/support/sandbox';
import { captureLab, changedIdentities, diffLines, identities, stampNamespaces } from '../common/kernel';
import { cli, cliRaw, engineLog } from '../common/tf';
import { expectLab, expectNothingLeft, Problems, RowOptions, RowResult, settle, synthTopo, tail, tokenOf, withLab, withSandbox } from '../common/row';
import { expectedLines, WORKSHOP } from '../common/topo';

const PINGS: Array<[string, string]> = [['sales', '172.16.20.10'], ['dev', '172.16.10.10']];
const works = (sb: Sandbox, prefix = '') => PINGS.every(([from, to]) => sb.ping(prefix + from, to, 3));
const loseState = (sb: Sandbox, lab: Lab) => sb.ok('rm -f terraform.tfstate terraform.tfstate.backup', { cwd: lab.dir });

/** The kernel changed between two identity snapshots: what (re-created, appeared, gone). */
function changed(before: Record<string, string>, after: Record<string, string>): string[] {
  return changedIdentities(before, after).map((k) => `${k}: ${before[k] ?? '(none)'} -> ${after[k] ?? '(gone)'}`);
}

export async function run(opts: RowOptions): Promise<RowResult> {
  const rounds = opts.quick ? 1 : 3;
  const p = new Problems();
  const n = { refused: 0, untouched: 0, prefixed: 0, orders: new Map<string, number>(), adopted: 0, released: 0 };
  for (let round = 1; round <= rounds; round++) {
    const R = rounds > 1 ? `round ${round}: ` : '';
    // (a) no prefix: the twin is refused by name, the first untouched
    await withSandbox((sb) => withLab(sb, 'workshop', (a) => withLab(sb, 'workshop', (b) => {
      synthTopo(a, 'workshop', WORKSHOP);
      synthTopo(b, 'workshop', WORKSHOP);
      a.applyOk();
      const ta = tokenOf(a);
      p.check(ta === a.deployment(), `${R}no prefix: the token from A's state (${ta}) differs from the library's (${a.deployment()})`);
      expectLab(p, `${R}no prefix: A`, sb, ta, 'workshop', WORKSHOP);
      stampNamespaces(sb);
      const ids = identities(sb);
      const r = b.apply();
      // the engine's own lines (unwrapped): the first refusal in full, the others may refer back to it
      // ("belongs to deployment <token> of this lab too"); every namespace named with A's marker
      const out = engineLog(r.stdout + r.stderr).lines.join('\n');
      const names = ['sales', 'dev', 'router'].filter((ns) => new RegExp(`namespace '${ns}' already exists and belongs to (another deployment of this lab \\(deployment ${ta}, |deployment ${ta} of this lab too \\()marker 'cdktf-netns:workshop@${ta}/${ns}'\\)`).test(out));
      if (p.check(r.code !== 0 && names.length === 3 && new RegExp(`'cdktf-netns release ${ta}' removes its objects and 'cdktf-netns adopt ${ta}' lets this deployment take them over`).test(out),
        () => `${R}no prefix: B not refused by name (exit ${r.code}; namespaces named with A's deployment: ${names.join(', ') || 'none'}): ${tail(out || r.stdout + r.stderr)}`)) n.refused++;
      const intact = p.list.length;
      const afterRefusal = changed(ids, identities(sb));
      p.check(afterRefusal.length === 0, () => `${R}no prefix: B's refused apply changed A:\n  ${afterRefusal.join('\n  ')}`);
      expectLab(p, `${R}no prefix: A after B's refused apply`, sb, ta, 'workshop', WORKSHOP);
      p.check(a.planExitCode() === 0, `${R}no prefix: A's plan shows changes after B's refused apply`);
      p.check(works(sb), `${R}no prefix: A does not ping after B's refused apply`);
      const d = b.terraform('destroy -auto-approve');
      p.check(d.code === 0, () => `${R}no prefix: destroying B failed: ${tail(d.stdout + d.stderr)}`);
      const afterDestroy = changed(ids, identities(sb));
      p.check(afterDestroy.length === 0, () => `${R}no prefix: destroying B changed A:\n  ${afterDestroy.join('\n  ')}`);
      expectLab(p, `${R}no prefix: A after destroying B`, sb, ta, 'workshop', WORKSHOP);
      p.check(a.planExitCode() === 0, `${R}no prefix: A's plan shows changes after destroying B`);
      p.check(works(sb), `${R}no prefix: A does not ping after destroying B`);
      if (p.list.length === intact) n.untouched++;
      a.destroyOk();
      expectNothingLeft(p, `${R}no prefix: after destroying A`, sb);
    })));
    // (b) prefixes: both live, destroyed independently, in both orders
    for (const order of [['a', 'b'], ['b', 'a']]) {
      await withSandbox((sb) => withLab(sb, 'workshop', (la) => withLab(sb, 'workshop', (lb) => {
        const before = p.list.length;
        const L: Record<string, Lab> = { a: la, b: lb };
        for (const x of ['a', 'b']) { synthTopo(L[x], 'workshop', WORKSHOP, `${x}-`); L[x].applyOk(); }
        const tok: Record<string, string> = { a: tokenOf(la), b: tokenOf(lb) };
        p.check(tok.a !== tok.b, `${R}prefixes: both deployments have token ${tok.a}`);
        const union = [...expectedLines('workshop', WORKSHOP, tok.a, 'a-'), ...expectedLines('workshop', WORKSHOP, tok.b, 'b-')].sort();
        const diff = settle(() => diffLines(union, captureLab(sb)));
        p.check(diff.length === 0, () => `${R}prefixes: the kernel is not exactly both labs:\n  ${diff.join('\n  ')}`);
        for (const x of ['a', 'b']) {
          p.check(works(sb, `${x}-`), `${R}prefixes: ${x} does not ping`);
          p.check(L[x].planExitCode() === 0, `${R}prefixes: ${x}'s plan shows changes`);
        }
        const [first, second] = order;
        stampNamespaces(sb);
        const ids = identities(sb);
        L[first].destroyOk();
        // the other keeps every object, works and re-plans empty
        const kept = Object.fromEntries(Object.entries(ids).filter(([k]) => new RegExp(`^(ns ${second}-|if ${second}-)`).test(k)));
        const now = identities(sb);
        const lost = changed(kept, Object.fromEntries(Object.entries(now).filter(([k]) => k in kept)));
        p.check(lost.length === 0, () => `${R}prefixes, ${first} destroyed first: ${second} changed:\n  ${lost.join('\n  ')}`);
        expectLab(p, `${R}prefixes, ${first} destroyed first: ${second}`, sb, tok[second], 'workshop', WORKSHOP, { prefix: `${second}-` });
        p.check(works(sb, `${second}-`), `${R}prefixes, ${first} destroyed first: ${second} does not ping`);
        p.check(L[second].planExitCode() === 0, `${R}prefixes, ${first} destroyed first: ${second}'s plan shows changes`);
        L[second].destroyOk();
        expectNothingLeft(p, `${R}prefixes, ${first} then ${second} destroyed`, sb);
        if (p.list.length === before) n.orders.set(order.join(' then '), (n.orders.get(order.join(' then ')) ?? 0) + 1);
      })));
    }
    // (c) lost state + adopt
    await withSandbox((sb) => withLab(sb, 'workshop', (lab) => {
      const before = p.list.length;
      synthTopo(lab, 'workshop', WORKSHOP);
      lab.applyOk();
      const old = tokenOf(lab);
      stampNamespaces(sb);
      const ids = identities(sb);
      loseState(sb, lab);
      const r = lab.apply();
      p.check(r.code !== 0 && new RegExp(`belongs to another deployment of this lab \\(deployment ${old}`).test(r.stdout + r.stderr),
        () => `${R}adopt: the apply after losing the state was not refused naming deployment ${old} (exit ${r.code}): ${tail(r.stdout + r.stderr)}`);
      const list = cliRaw(sb, 'deployments');
      p.check(list.code === 0 && new RegExp(`^${old}\\s+applied\\s+3\\s`, 'm').test(list.out), () => `${R}adopt: 'deployments' does not list ${old} as applied with 3 namespaces (exit ${list.code}): ${list.out}`);
      const ad = cliRaw(sb, `adopt ${old}`);
      p.check(ad.code === 0 && new RegExp(`deployment ${old} is offered for adoption`).test(ad.out), () => `${R}adopt: 'adopt ${old}' failed (exit ${ad.code}): ${ad.out}`);
      const a2 = lab.apply();
      if (p.check(a2.code === 0, () => `${R}adopt: the apply after 'adopt' failed: ${tail(a2.stdout + a2.stderr)}`)) {
        const now = tokenOf(lab);
        p.check(now !== old && new RegExp(`deployment ${now} takes over deployment ${old}`).test(a2.stdout), () => `${R}adopt: the apply did not say deployment ${now} takes over ${old}: ${tail(a2.stdout, 800)}`);
        const re = changed(ids, identities(sb));
        p.check(re.length === 0, () => `${R}adopt: objects were re-created instead of taken over:\n  ${re.join('\n  ')}`);
        expectLab(p, `${R}adopt: after the take-over (markers with the new token)`, sb, now, 'workshop', WORKSHOP);
        p.check(lab.planExitCode() === 0, `${R}adopt: the plan after the take-over shows changes`);
        p.check(works(sb), `${R}adopt: no ping after the take-over`);
        const l2 = cliRaw(sb, 'deployments');
        p.check(!l2.out.includes(old) && l2.out.includes(now), () => `${R}adopt: 'deployments' after the take-over: ${l2.out}`);
        const v = cli(sb, 'verify', lab.dir);
        p.check(v.code === 0, () => `${R}adopt: verify after the take-over exits ${v.code}: ${tail(v.out)}`);
      }
      const d = lab.terraform('destroy -auto-approve');
      p.check(d.code === 0, () => `${R}adopt: destroy failed: ${tail(d.stdout + d.stderr)}`);
      expectNothingLeft(p, `${R}adopt: after destroy`, sb);
      if (p.list.length === before) n.adopted++;
    }));
    // (d) lost state + release
    await withSandbox((sb) => withLab(sb, 'workshop', (lab) => {
      const before = p.list.length;
      synthTopo(lab, 'workshop', WORKSHOP);
      lab.applyOk();
      const old = tokenOf(lab);
      loseState(sb, lab);
      const kernel = captureLab(sb);
      const bad = cliRaw(sb, 'release 0123456789ab');
      p.check(bad.code === 1 && /no deployment 0123456789ab is recorded/.test(bad.out), () => `${R}release: releasing an unknown token: exit ${bad.code}: ${bad.out}`);
      const still = diffLines(kernel, captureLab(sb));
      p.check(still.length === 0, () => `${R}release: releasing an unknown token changed the kernel:\n  ${still.join('\n  ')}`);
      const rel = cliRaw(sb, `release ${old}`);
      p.check(rel.code === 0 && /destroyed/.test(rel.out), () => `${R}release: 'release ${old}' failed (exit ${rel.code}): ${rel.out}`);
      expectNothingLeft(p, `${R}release: after 'release ${old}'`, sb);
      const a2 = lab.apply();
      if (p.check(a2.code === 0, () => `${R}release: the fresh deploy failed: ${tail(a2.stdout + a2.stderr)}`)) {
        const now = tokenOf(lab);
        p.check(now !== old, `${R}release: the fresh deploy has the old token`);
        expectLab(p, `${R}release: the fresh deploy`, sb, now, 'workshop', WORKSHOP);
        p.check(works(sb), `${R}release: no ping after the fresh deploy`);
        const v = cli(sb, 'verify', lab.dir);
        p.check(v.code === 0 && v.out.includes(`deployment ${now}`), () => `${R}release: verify does not name deployment ${now} or finds drift (exit ${v.code}): ${tail(v.out)}`);
      }
      const d = lab.terraform('destroy -auto-approve');
      p.check(d.code === 0, () => `${R}release: destroy failed: ${tail(d.stdout + d.stderr)}`);
      expectNothingLeft(p, `${R}release: after destroy`, sb);
      if (p.list.length === before) n.released++;
    }));
  }
  const orders = [...n.orders.entries()].map(([o, k]) => `${o} ${k}/${rounds}`).join(', ') || `0/${2 * rounds}`;
  const prefixed = [...n.orders.values()].reduce((a, b) => a + b, 0);
  return {
    figure: `no prefix: the twin refused by name (A's deployment token in every refusal, release/adopt named) ${n.refused}/${rounds}, the first untouched ` +
      `(0 objects re-created, kernel exactly A, plan empty, ping; also after destroying the twin) ${n.untouched}/${rounds}; ` +
      `prefixes a-/b-: both live at once and destroyed independently ${prefixed}/${2 * rounds} (${orders}: the other kept every object, pinged, re-planned empty; nothing left); ` +
      `lost state + adopt ${n.adopted}/${rounds} (refused until adopted, then taken over: 0 objects re-created, re-marked with the new token, plan empty); ` +
      `lost state + release ${n.released}/${rounds} (unknown token refused, nothing left after release, fresh deploy verified)`,
    pass: p.ok && n.refused === rounds && n.untouched === rounds && prefixed === 2 * rounds && n.adopted === rounds && n.released === rounds,
    details: p.details,
  };
}
