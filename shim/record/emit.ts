/**
 * A recorded profile (aggregate.ts) as YAML, with each generated entry's provenance as a YAML
 * comment (the yaml library's comment support): at the end of a scalar's line, or above a
 * key or a sequence item for the longer ones.
 */
import { Document, isMap, isNode, isScalar, Scalar, type Node } from 'yaml';
import type { NodeComment, RecordedProfile } from './aggregate.js';

/** The node a before-comment goes on: a map entry's key (so it sits above `key:`), else the node. */
function anchorOf(doc: Document, path: NodeComment['path']): Node | undefined {
  const last = path[path.length - 1];
  const parent = doc.getIn(path.slice(0, -1), true);
  if (typeof last === 'string' && isMap(parent)) {
    const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
    if (!pair) return undefined;
    if (!isNode(pair.key)) pair.key = new Scalar(pair.key);
    return pair.key as Node;
  }
  const node = doc.getIn(path, true);
  return isNode(node) ? node : undefined;
}

export function emitProfile(p: RecordedProfile): string {
  const doc = new Document(p.doc);
  for (const c of p.comments) {
    if (c.path.length === 0) {
      doc.commentBefore = c.text;
      continue;
    }
    if (c.before) {
      const anchor = anchorOf(doc, c.path);
      if (anchor) anchor.commentBefore = c.text;
      continue;
    }
    const node = doc.getIn(c.path, true);
    if (isScalar(node)) node.comment = ` ${c.text}`;
    else if (isNode(node)) node.commentBefore = ` ${c.text}`;
  }
  return doc.toString({ lineWidth: 0 });
}
