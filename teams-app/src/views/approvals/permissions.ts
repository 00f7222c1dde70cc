/** "Additional permissions" typed as a list: "MIS admin, Finance system". */
export function parsePermissions(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    ),
  ];
}
