import type { DatabaseSync } from 'node:sqlite';

/**
 * A plain HTML page at the emulator's root so a person trying Countersign locally can see what
 * is in "SharePoint": the sites, their lists and item counts, and the directory's size. Every
 * link is a real Graph URL, so the JSON is one click away.
 */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top;max-width:24rem;overflow-wrap:anywhere}small{color:#555;font-weight:normal}';

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  return escapeHtml(typeof value === 'string' ? value : JSON.stringify(value));
}

/** One list as a table: the newest 200 items, every column, as a person would read it. */
export function renderListPage(db: DatabaseSync, listId: string): string | undefined {
  const list = db.prepare('SELECT display_name FROM lists WHERE id = ?').get(listId);
  if (list === undefined) return undefined;
  const columns = db
    .prepare('SELECT name FROM columns WHERE list_id = ? ORDER BY position')
    .all(listId)
    .map((row) => String(row.name));
  const total = Number(
    db.prepare('SELECT count(*) AS n FROM items WHERE list_id = ?').get(listId)?.n ?? 0,
  );
  const rows = db
    .prepare(
      'SELECT id, version, modified, fields FROM items WHERE list_id = ? ORDER BY id DESC LIMIT 200',
    )
    .all(listId)
    .map((row) => {
      const fields = JSON.parse(String(row.fields)) as Record<string, unknown>;
      const cells = columns.map((name) => `<td>${cell(fields[name])}</td>`).join('');
      return `<tr><td>${String(row.id)}</td>${cells}<td>${cell(row.modified)}</td><td>${String(row.version)}</td></tr>`;
    })
    .join('');
  const head = columns.map((name) => `<th>${escapeHtml(name)}</th>`).join('');
  const title = escapeHtml(String(list.display_name));
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>${title} — Countersign Graph emulator</title>
<style>${PAGE_STYLE}</style></head><body>
<p><a href="/">← all lists</a></p>
<h1>${title} <small>${total} items${total > 200 ? ', newest 200 shown' : ''}</small></h1>
<table><thead><tr><th>ID</th>${head}<th>Modified</th><th>Version</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>`;
}

export function renderOverview(db: DatabaseSync, baseUrl: string): string {
  const sites = db.prepare('SELECT id, path, data FROM sites ORDER BY rowid').all();
  const listRows = db
    .prepare(
      `SELECT l.id, l.site_id, l.display_name,
              (SELECT count(*) FROM items i WHERE i.list_id = l.id) AS n
         FROM lists l ORDER BY l.rowid`,
    )
    .all();
  const users = Number(db.prepare('SELECT count(*) AS n FROM users').get()?.n ?? 0);
  const groups = db.prepare('SELECT id, data FROM groups ORDER BY rowid').all();
  const siteSections = sites
    .map((site) => {
      const siteId = String(site.id);
      const data = JSON.parse(String(site.data)) as { displayName?: string };
      const lists = listRows.filter((row) => String(row.site_id) === siteId);
      const rows = lists
        .map((list) => {
          const itemsUrl = `${baseUrl}/sites/${siteId}/lists/${String(list.id)}/items?$expand=fields&$top=50`;
          const pageUrl = `/_emulator/lists/${String(list.id)}`;
          return `<tr><td><a href="${escapeHtml(pageUrl)}">${escapeHtml(String(list.display_name))}</a></td><td>${String(list.n)}</td><td><a href="${escapeHtml(itemsUrl)}">items (JSON)</a></td></tr>`;
        })
        .join('');
      const body =
        lists.length === 0
          ? '<p>This site has no Countersign lists. That is expected for a site Countersign does not use; <code>npm start</code> creates them on the demo school’s site, and <code>npm run cli -- provision --site …</code> creates them on another.</p>'
          : `<table><thead><tr><th>List</th><th>Items</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
      return `<section><h2>${escapeHtml(data.displayName ?? siteId)} <small>${escapeHtml(String(site.path))}</small></h2><p><code>${escapeHtml(siteId)}</code></p>${body}</section>`;
    })
    .join('');
  const groupItems = groups
    .map((group) => {
      const data = JSON.parse(String(group.data)) as { displayName?: string };
      const url = `${baseUrl}/groups/${String(group.id)}/transitiveMembers?$select=displayName,userPrincipalName`;
      return `<li><a href="${escapeHtml(url)}">${escapeHtml(data.displayName ?? String(group.id))}</a></li>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Countersign Graph emulator</title>
<style>${PAGE_STYLE}</style>
</head><body>
<h1>Countersign Graph emulator</h1>
<p>Graph base URL: <code>${escapeHtml(baseUrl)}</code></p>
${siteSections}
<section><h2>Directory</h2><p><a href="${escapeHtml(`${baseUrl}/users`)}">${users} users</a></p><ul>${groupItems}</ul></section>
</body></html>`;
}
