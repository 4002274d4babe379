/**
 * Where neutral ends, apart from the sentiment engine itself: History filters, Analytics and
 * exports classify stored scores with it without loading the lexicon (the CLI and export
 * workers stay light).
 */

/** |score| below this is neutral: wider than VADER's 0.05, because short spoken lines are noisy. */
export const NEUTRAL_BAND = 0.1;
