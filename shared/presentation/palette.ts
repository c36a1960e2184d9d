// The colours ATIX shows everywhere (the report, the dashboard): colour-blind-safe data colours and
// the TLP labels' own, one definition for both.

/** Okabe & Ito (2008), "Color Universal Design". */
export const OKABE_ITO = {
  black: "#000000", orange: "#E69F00", sky: "#56B4E9", green: "#009E73", yellow: "#F0E442", blue: "#0072B2", vermillion: "#D55E00", purple: "#CC79A7",
} as const;

/** FIRST TLP 2.0: coloured text on a black background. */
export const TLP_COLOURS = { RED: "#FF2B2B", AMBER: "#FFC000", "AMBER+STRICT": "#FFC000", GREEN: "#33FF00", CLEAR: "#FFFFFF" } as const;
