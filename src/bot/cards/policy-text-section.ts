import type { CardElementArray, IContainer, ITextBlock } from '@microsoft/teams.cards';
import type { PolicyDocument } from '../../domain/policy-document.ts';
import { actionSet, linkedText, md, text } from './card-kit.ts';

/**
 * The most policy text a sign prompt carries. Teams takes a bot message of up to 100 KB
 * (DESIGN.md §6: keep under 80 KB) and the card tests hold every card under 40 KB; what changed
 * (30 lines of 300 characters) and the form take about 15 KB of that, so the clauses get 20 KB of
 * text. A longer policy is not cut short: the card says it must be read in the tab first.
 */
export const MAX_POLICY_TEXT_CHARS = 20_000;

export const POLICY_TEXT_ID = 'policy-text';

function documentChars(document: Pick<PolicyDocument, 'sections'>): number {
  let chars = 0;
  for (const section of document.sections) {
    chars += section.heading.length;
    for (const clause of section.clauses) {
      chars += clause.text.length + (clause.number?.length ?? 0);
      for (const item of clause.items) chars += item.length;
    }
  }
  return chars;
}

function clauseCount(document: Pick<PolicyDocument, 'sections'>): number {
  return document.sections.reduce((n, s) => n + s.clauses.length, 0);
}

function clauseBlock(clause: PolicyDocument['sections'][number]['clauses'][number]): ITextBlock[] {
  const first =
    clause.number === undefined
      ? text(linkedText(clause.text), { spacing: 'Small' })
      : text(md`**${clause.number}.** ${linkedText(clause.text)}`, { spacing: 'Small' });
  // Sub-items as their own indented lines: a Markdown list would need the data's own markers.
  return [
    first,
    ...clause.items.map((item) => text(md`• ${linkedText(item)}`, { spacing: 'None' })),
  ];
}

/**
 * The policy itself on the sign prompt, collapsed behind "Show the policy" (Action.ToggleVisibility)
 * so the card stays short, with its https links clickable; or, when it is too long for a card, a
 * plain statement that it must be read in the tab before signing. Either way the card says so
 * above the form: the card's Sign asks for the same "I have read this policy" as the tab.
 */
export function policyTextSection(document: Pick<PolicyDocument, 'sections'>): CardElementArray {
  const clauses = clauseCount(document);
  if (clauses === 0) return [];
  if (documentChars(document) > MAX_POLICY_TEXT_CHARS) {
    return [
      text(
        md`
**Read the policy before you sign.** It is too long to show on this card: open it with “Read it in Teams” below, then come back and sign here.
        `,
        { spacing: 'Medium' },
      ),
    ];
  }
  const body: IContainer = {
    type: 'Container',
    id: POLICY_TEXT_ID,
    isVisible: false,
    items: document.sections.flatMap((section) => [
      ...(section.heading.trim() === ''
        ? []
        : [text(section.heading, { weight: 'Bolder', spacing: 'Medium' })]),
      ...section.clauses.flatMap(clauseBlock),
    ]),
  };
  return [
    text(
      md`**Read the policy before you sign** (${clauses} ${clauses === 1 ? 'clause' : 'clauses'}).`,
      {
        spacing: 'Medium',
      },
    ),
    actionSet([
      {
        type: 'Action.ToggleVisibility',
        title: 'Show or hide the policy',
        targetElements: [POLICY_TEXT_ID],
      },
    ]),
    body,
  ];
}
