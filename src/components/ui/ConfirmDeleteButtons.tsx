import { button } from "@/components/ui/styles";

/**
 * Two-step delete: "Delete" asks, then "Yes, remove it" runs `onConfirm` and "Cancel" steps back. The caller
 * holds `confirming` so it can show what is about to be deleted.
 */
export function ConfirmDeleteButtons({
  confirming,
  setConfirming,
  onConfirm,
  isPending,
}: {
  confirming: boolean;
  setConfirming: (confirming: boolean) => void;
  onConfirm: () => void;
  isPending: boolean;
}) {
  return confirming ? (
    <>
      <button type="button" className={button.danger} disabled={isPending} onClick={onConfirm}>
        Yes, remove it
      </button>
      <button type="button" className={button.secondary} onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </>
  ) : (
    <button type="button" className={button.danger} onClick={() => setConfirming(true)}>
      Delete
    </button>
  );
}
