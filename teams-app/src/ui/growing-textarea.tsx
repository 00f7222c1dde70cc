import { Textarea, type TextareaProps } from '@fluentui/react-components';
import { forwardRef, useImperativeHandle, useLayoutEffect, useRef } from 'react';

/**
 * A text box as tall as its text: a clause of eight lines shows its eight lines, so the draft
 * reads like the policy instead of a column of two-line boxes with their own scroll bars.
 */
export const GrowingTextarea = forwardRef<HTMLTextAreaElement, TextareaProps>(
  function GrowingTextarea(props, ref) {
    const inner = useRef<HTMLTextAreaElement>(null);
    useImperativeHandle<HTMLTextAreaElement | null, HTMLTextAreaElement | null>(
      ref,
      () => inner.current,
    );
    const value = props.value;
    useLayoutEffect(() => {
      const element = inner.current;
      if (element === null) return;
      // Shrink first, then take the height the text needs (scrollHeight counts padding only).
      element.style.height = 'auto';
      const border = element.offsetHeight - element.clientHeight;
      element.style.height = `${String(element.scrollHeight + border)}px`;
    }, [value]);
    return <Textarea {...props} resize="none" ref={inner} />;
  },
);
