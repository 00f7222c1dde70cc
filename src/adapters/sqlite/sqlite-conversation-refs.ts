import { z } from 'zod';
import type { ConversationRefs, StoredConversation } from '../../ports/conversation-refs.ts';
import { iso, isoToMs, type SqliteDatabase } from './sqlite-database.ts';

// Rows come back from our own file, but a file can be old or edited: parse, never cast.
const conversationRow = z.object({
  user_id: z.string(),
  conversation_id: z.string(),
  service_url: z.string(),
  tenant_id: z.string(),
  updated_at: z.number(),
  user_mri: z.string().nullable(),
});

/** Conversation references on node:sqlite: one row per person. */
export class SqliteConversationRefs implements ConversationRefs {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  getConversation(userId: string): Promise<StoredConversation | null> {
    const row = this.#db.db.prepare('SELECT * FROM conversations WHERE user_id = ?').get(userId);
    if (row === undefined) return Promise.resolve(null);
    const r = conversationRow.parse(row);
    return Promise.resolve({
      userId: r.user_id,
      conversationId: r.conversation_id,
      serviceUrl: r.service_url,
      tenantId: r.tenant_id,
      ...(r.user_mri === null ? {} : { userMri: r.user_mri }),
      updatedAt: iso(r.updated_at),
    });
  }

  putConversation(c: StoredConversation): Promise<void> {
    this.#db.changes(
      // A known MRI survives a reference without one (the port's rule), in the one statement.
      `INSERT INTO conversations
         (user_id, conversation_id, service_url, tenant_id, updated_at, user_mri)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET conversation_id = excluded.conversation_id,
         service_url = excluded.service_url, tenant_id = excluded.tenant_id,
         updated_at = excluded.updated_at,
         user_mri = COALESCE(excluded.user_mri, conversations.user_mri)`,
      c.userId,
      c.conversationId,
      c.serviceUrl,
      c.tenantId,
      isoToMs(c.updatedAt, 'updatedAt'),
      c.userMri ?? null,
    );
    return Promise.resolve();
  }
}
