import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { CurrentUserProvider, type CurrentUser } from "@/components/session/CurrentUser";

/** Renders inside a fresh QueryClient (no retries, so a failing action shows at once) and a user. */
export function renderWithProviders(ui: ReactElement, { user = null }: { user?: CurrentUser | null } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <CurrentUserProvider user={user}>{ui}</CurrentUserProvider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}
