// THROWAWAY STUB (not committed): stands in for the net helper's module to test pull.ts.
import { canonicalName, splitName } from './names.js';
export interface ImageReference { registry: string; repository: string; tag?: string; digest?: string }
export function parseReference(text: string): ImageReference {
  const parts = splitName(canonicalName(text));
  const slash = parts.repository.indexOf('/');
  return { registry: parts.repository.slice(0, slash), repository: parts.repository.slice(slash + 1), tag: parts.tag, digest: parts.digest };
}
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
