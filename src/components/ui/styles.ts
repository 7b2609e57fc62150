/** Shared class lists so buttons and inputs look the same on every page. */
export const button = {
  primary:
    "inline-flex items-center justify-center rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-50",
  secondary:
    "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-50",
  danger:
    "inline-flex items-center justify-center rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50",
  link: "text-sm font-medium text-slate-600 hover:text-slate-900 hover:underline disabled:opacity-50",
} as const;

export const input =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-slate-500 focus:outline-none focus:ring-2 focus:ring-slate-200";

export const label = "mb-1 block text-sm font-medium text-slate-700";

export const card = "rounded-lg border border-slate-200 bg-white p-4 shadow-sm";
