package dev.funnel.quality;

import java.util.List;

/**
 * One written finding of docs/quality.md and the claims it rests on. The renderer checks each claim
 * against the run it renders and flags, in the document, a finding the numbers no longer support.
 */
record Finding(String text, List<Claim> claims) {
  Finding {
    claims = List.copyOf(claims);
  }

  static Finding of(String text, Claim... claims) {
    return new Finding(text, List.of(claims));
  }
}
