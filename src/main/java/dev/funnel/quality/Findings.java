package dev.funnel.quality;

import java.util.List;

/**
 * The written analysis of docs/quality.md, kept beside the renderer so that the regenerated page
 * keeps it. The tables are recomputed on every run; this text is not: update it when a new run
 * changes the picture.
 */
final class Findings {
  private Findings() {}

  /**
   * MovieLens: "funnel" and "retrieval" name the configuration chosen on validation; each finding
   * lists the claims it rests on (checked against the run being rendered).
   */
  static final List<Finding> MOVIELENS =
      List.of(
          Finding.of(
              """
              *Most-popular is strong here, and knowing the time does not help it beyond \
              noise.* Restricted to films that existed at each request, plain most-popular (all \
              training watches) and the time-aware variant (the 365-day window chosen on \
              validation) are within noise of each other; MovieLens users rate the same canon of \
              films whatever the year.""",
              Claim.tie("time-popular", "hit_rate@50", "most-popular")),
          Finding.of(
              """
              *Tuned ALS is the strongest method measured*, above tuned ItemKNN (beyond noise, \
              narrowly) and both well above most-popular: 1.32× and 1.22× most-popular's \
              HitRate@50 respectively.""",
              Claim.above("als-mf", "hit_rate@50", "itemknn"),
              Claim.above("itemknn", "hit_rate@50", "most-popular"),
              Claim.above("als-mf", "hit_rate@50", "most-popular")),
          Finding.of(
              """
              *2× most-popular on HitRate@50 is above every method measured*, baselines \
              included: with films that did not exist yet left out of every list, most-popular \
              reaches 0.420, and the best method (ALS, 0.556) is 1.32× that; ItemKNN 1.22×. The \
              issue's "2× most-popular" target is out of reach of every method here.""",
              Claim.below("als-mf", "hit_rate@50", 2, "most-popular"),
              Claim.below("itemknn", "hit_rate@50", 2, "most-popular"),
              Claim.below("funnel", "hit_rate@50", 2, "most-popular"),
              Claim.below("funnel-defaults", "hit_rate@50", 2, "most-popular")),
          Finding.of(
              """
              *`./funnel train`'s defaults, as served, do not reach the tuned baselines, and \
              only tie most-popular.* Their trainings serve retrieval's order (next finding); \
              their HitRate@50 is 0.80× ALS's and 0.87× ItemKNN's, both beyond noise, and \
              1.06× most-popular's, within noise.""",
              Claim.below("funnel-defaults", "hit_rate@50", "als-mf"),
              Claim.below("funnel-defaults", "hit_rate@50", "itemknn"),
              Claim.tie("funnel-defaults", "hit_rate@50", "most-popular")),
          Finding.of(
              """
              *With the defaults, the serving-order choice serves retrieval's order on \
              MovieLens, so the ranker costs no recall.* The ranker's window is the last fifth of \
              the ratings (`ranker_quantile` 0.8), which on ml-latest-small comes from about 110 \
              users; the choice holds out a quarter of them, 27–28. With fewer than 30 it serves \
              retrieval's order only when the ranker's loses beyond noise on both measures, which \
              it did in every defaults training (by 0.08–0.16 HitRate@50, table above). Before \
              that rule ("fewer than 30: keep the ranker") the same trainings served the ranker's \
              order, and the defaults' Recall@50 as served was 0.101 against 0.165 for their own \
              retrieval alone. With the ranker trained on the last half (`--ranker-quantile \
              0.5`) the choice holds out about 72 users and serves retrieval's order in every \
              seed too.""",
              Claim.tie("funnel-defaults", "recall@50", "retrieval-defaults"),
              Claim.tie("funnel-ranker-half", "recall@50", "retrieval-ranker-half")),
          Finding.of(
              """
              *The defaults' retrieval alone is within noise of most-popular on test, and its \
              candidate model trained one epoch.* Early stopping reads Recall@50 of about 110 \
              users' next watch after each epoch and stops at the first epoch that does not beat \
              the best (patience 1; a tie does not): in the three test trainings of the defaults \
              epoch 1 was kept (the second tied twice and fell once), on the validation side 1 \
              to 3 epochs. With the ranker on the last half, early stopping reads about 300 \
              users and kept 1 to 3 epochs. Whether more epochs would lift it was not measured \
              here (read from each training's model.json, `training.candidate.early_stopping`).""",
              Claim.tie("retrieval-defaults", "hit_rate@50", "most-popular")),
          Finding.of(
              """
              *Example age costs retrieval in this replay*: the same training without it \
              retrieves better on test, beyond noise (3 seeds for the defaults, 1 for the \
              variant); on validation the same direction, within noise (table of differences \
              above, over 3 seeds each). Both serve retrieval's order, so the same holds as \
              served.""",
              Claim.above("retrieval-no-example-age", "hit_rate@50", "retrieval-defaults")),
          Finding.of(
              """
              *What validation chose is not `./funnel train`'s default*: the ranker on the last \
              half of the window (`--ranker-quantile 0.5`, which also ends candidate A's fit and \
              starts its early-stopping window at the half), whose training serves retrieval's \
              order, has the best HitRate@50 as served on validation, narrowly beyond noise \
              against the defaults (table of differences above). On test it is above the \
              defaults as served and above most-popular, but below tuned ALS.""",
              Claim.above("funnel", "hit_rate@50", "funnel-defaults"),
              Claim.above("funnel", "hit_rate@50", "most-popular"),
              Claim.below("funnel", "hit_rate@50", "als-mf")),
          Finding.of(
              """
              *The baselines' grids:* ALS's best configuration sits at a corner of its grid \
              (the larger d, the smaller α, the larger λ tried) and ItemKNN's at the smallest \
              k; wider grids might lift both. Every baseline got the same 8 configurations on \
              purpose."""),
          Finding.of(
              """
              *How long it took:* the run behind these tables (`/usr/bin/time -v`, 16 trainings, \
              the baselines, the evaluations, `--unchosen-seeds 1`) took 16 min 31 s of wall \
              clock (peak RSS 1.5 GB) on the 2-core AMD EPYC, under a 1-minute load average of \
              1.2–4.1 with a test suite and two Redis drills running beside it for part of the \
              time: an upper bound."""));

  static final String ABLATIONS =
      """
      **Findings (ablations).** Read off the table above (one run each, seed 42, so differences \
      of a few thousandths are noise):

      - *Ranker depth* reproduces the paper's Table 1 ordering: plain logistic regression on the \
      same features has the worst weighted per-user loss by far, and each added hidden layer \
      lowers it (LR → 64 → 128→64 → 256→128→64), with the watch time of the top of each page \
      rising the same way.
      - *Tower depth* does **not** reproduce the paper's Figure 6 here: on a 1,500-user world \
      trained for 3 epochs the linear and one-layer towers retrieve best and 512→256 worst. The \
      paper's gains from depth come with billions of examples; at this size the deeper towers are \
      under-trained (and the machine does not allow the epochs to tell which). We keep 256→128 \
      as the default because it is the paper's and the RW-1M workload is 50× bigger, but this \
      table is the evidence that it is not free at small scale.
      - *Example age* reproduces the freshness effect: without it the model spreads its \
      probability like the training-window average and gives videos under two days old less than a third of their \
      actual share; with it (set to 0 at serving) the predicted share of fresh \
      videos follows the actual one. Its cost in this protocol: retrieval recall is lower with \
      example age, because leave-last-out asks each user at their own request time while the \
      model, told age 0, answers "as of the end of training". On a global time split (how \
      `./funnel train` evaluates) the two times coincide.
      - *History length*: more history helps monotonically (5 → 20 → 50 watches).
      - *Sampled negatives*: 64 per batch is far worse than 512, and 2048 (the default) better \
      still: with few negatives the softmax never sees the popular near-misses it must push down.
      - *Weighted vs click LR*: click LR has the higher click AUC but the worse weighted per-user \
      loss and less watch time at the top of each page — the paper's reason for weighting by \
      watch time: it orders by expected watch time, not by click probability.
      - *Does each stage earn its place?* On the synthetic world, mostly: the ranker re-ordering \
      the top 300 raises Recall@50 and coverage over retrieval alone, and orders real pages far \
      better than the retrieval score (watch time of the top of each page, weighted per-user \
      loss); but it slightly lowers NDCG@10 and HitRate@10 of the *next watch*, which is not what \
      it is trained for — it ranks by expected watch time, and long watches are not always the \
      next one.
      """;
}
