// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkedText } from '../../teams-app/src/ui/linked-text.tsx';

afterEach(cleanup);

describe('policy text in the tab', () => {
  it('makes https addresses links, without the sentence’s full stop; http and javascript: stay text', () => {
    const { container } = render(
      <LinkedText text="Read https://example.org/aup?x=1. Not http://plain.example or javascript:alert(1) <b>x</b>." />,
    );
    const links = screen.getAllByRole('link');
    expect(links.map((a) => [a.getAttribute('href'), a.textContent])).toEqual([
      ['https://example.org/aup?x=1', 'https://example.org/aup?x=1'],
    ]);
    expect(links[0]?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(container.textContent).toBe(
      'Read https://example.org/aup?x=1. Not http://plain.example or javascript:alert(1) <b>x</b>.',
    );
    expect(container.querySelector('b')).toBeNull();
  });
});
