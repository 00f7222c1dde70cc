import {
  adaptiveCard,
  facts,
  heading,
  openUrl,
  tabLink,
  text,
  type AdaptiveCard,
  type CardsConfig,
} from './card-kit.ts';

/** The one line the bot answers anything it does not understand with. */
export const HELP_TEXT =
  'I am Countersign: I ask you to read and sign the school’s Acceptable Use Policy. Type "sign" to sign what is due, "status" to see what you need to sign, or "help" for more.';

/** "help": what the bot does and the commands it understands. */
export function helpCard(config: CardsConfig): AdaptiveCard {
  return adaptiveCard(
    [
      heading('Countersign'),
      text(
        'Countersign asks you to read and sign the school’s Acceptable Use Policy, tells you what changed since you last signed, and keeps a record of your signature in the school’s SharePoint.',
        { spacing: 'Small' },
      ),
      facts([
        ['sign', 'The card to sign what is due now'],
        ['status', 'What you need to sign, and what you have signed'],
        ['help', 'This message'],
      ]),
      text(
        'When a policy needs your signature you get a card here: read the policy, tick that you have read it, type your full name and press Sign. Headteachers approve new signers from a card too.',
        { isSubtle: true },
      ),
    ],
    {
      fallbackText: HELP_TEXT,
      actions: [openUrl('Open My AUP', tabLink(config, 'my-aup'))],
    },
  );
}
