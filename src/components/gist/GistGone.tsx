import Link from "next/link";
import { button } from "@/components/ui/styles";

/**
 * What an open gist page shows once the gist is gone for its viewer: a notice, not an error page. The owner can
 * still read their private gists, so for them gone means deleted; for anyone else the server answers the same
 * NOT_FOUND for deleted and private (existence does not leak), and the wording covers both.
 */
export function GistGone({ ownerView }: { ownerView: boolean }) {
  return (
    <section role="status" aria-live="polite" className="rounded-lg border border-slate-200 bg-white px-4 py-10 text-center shadow-sm">
      <h1 className="text-xl font-semibold text-slate-900">
        {ownerView ? "This gist was deleted." : "This gist was deleted or made private."}
      </h1>
      <p className="mt-2 text-sm text-slate-600">
        {ownerView ? "It is no longer available." : "It is no longer available to you."}
      </p>
      <Link href="/gists" className={`${button.secondary} mt-6`}>
        Browse gists
      </Link>
    </section>
  );
}
