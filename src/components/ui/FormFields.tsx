import type { InputHTMLAttributes, ReactNode } from "react";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { button, input, label as labelClass } from "@/components/ui/styles";

/** What a create/edit form takes from its page: the values it starts with, and the mutation it submits to. */
export type MutationFormProps<Values, Initial = Values> = {
  initial?: Initial;
  submitLabel: string;
  onSubmit: (values: Values) => Promise<unknown>;
  onCancel?: () => void;
  isPending: boolean;
  error: unknown;
};

/** A visible label above one control (the control's id is `id`), with an optional hint below it. */
export function Field({ id, label, hint, children }: { id: string; label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {children}
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
    </div>
  );
}

/** A labelled single-line text input; `onValueChange` gets the new text. */
export function TextField({
  id,
  label,
  hint,
  onValueChange,
  ...props
}: { id: string; label: string; hint?: ReactNode; onValueChange: (value: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "id" | "onChange" | "className"
>) {
  return (
    <Field id={id} label={label} hint={hint}>
      <input id={id} onChange={(e) => onValueChange(e.target.value)} className={input} {...props} />
    </Field>
  );
}

/** The end of a form: the mutation's error, the submit button and, when `onCancel` is given, a Cancel button. */
export function FormActions({
  error,
  submitLabel,
  disabled,
  onCancel,
}: {
  error: unknown;
  submitLabel: ReactNode;
  disabled: boolean;
  onCancel?: () => void;
}) {
  return (
    <>
      <ErrorMessage error={error} />
      <div className="flex gap-2">
        <button type="submit" disabled={disabled} className={button.primary}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel} className={button.secondary}>
            Cancel
          </button>
        ) : null}
      </div>
    </>
  );
}
