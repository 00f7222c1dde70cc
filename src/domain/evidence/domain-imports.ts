/* eslint-disable no-restricted-imports -- These are src/domain's own files, which the rule means
   to allow; its pattern only admits "./" paths, so a subfolder cannot reach its parent. Every
   evidence file imports the rest of the domain through here, so the exception stays in one place;
   widen the pattern in eslint.config.js (admit "../" inside src/domain) and this file can go. */
export {
  acknowledgementFieldsSchema,
  acknowledgementSchema,
  approvalStateSchema,
} from '../acknowledgement.ts';
export type { Acknowledgement, ApprovalState } from '../acknowledgement.ts';
export { auditEventTypeSchema } from '../audit-event.ts';
export { canonicalJson } from '../canonical-json.ts';
export { contentHash } from '../content-hash.ts';
export { CountersignError } from '../errors.ts';
export { policyDocumentSchema } from '../policy-document.ts';
export { changeKindSchema, policyKeySchema } from '../policy.ts';
export { verifySeal } from '../seal.ts';
export type { SealKey } from '../seal.ts';
