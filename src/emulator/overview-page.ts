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
          return `<tr><td>${escapeHtml(String(list.display_name))}</td><td>${String(list.n)}</td><td><a href="${escapeHtml(itemsUrl)}">items (JSON)</a></td></tr>`;
        })
        .join('');
      const body =
        lists.length === 0
          ? '<p>No lists yet (run <code>countersign provision</code>).</p>'
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
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}small{color:#555;font-weight:normal}</style>
</head><body>
<h1>Countersign Graph emulator</h1>
<p>Graph base URL: <code>${escapeHtml(baseUrl)}</code></p>
${siteSections}
<section><h2>Directory</h2><p><a href="${escapeHtml(`${baseUrl}/users`)}">${users} users</a></p><ul>${groupItems}</ul></section>
</body></html>`;
}
