package dev.funnel;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package structure the README and DESIGN.md §5 promise, checked on the compiled classes (so an
 * inline fully-qualified name counts as much as an import):
 *
 * <ul>
 *   <li>no package depends on itself through others (each package is its own slice: {@code data}
 *       and {@code data.generate} are two);
 *   <li>serving code never reaches offline code (generator, importers, dataset model, trainer,
 *       quality evaluation) nor the command line that wires both.
 * </ul>
 *
 * Known violations that cannot be fixed yet are listed in {@link #FROZEN}, one edge (origin class →
 * target class, nested classes included) at a time with the reason; any other edge fails the build.
 */
class ArchitectureTest {
  static final String[] SERVING = {
    "dev.funnel.api..",
    "dev.funnel.app..",
    "dev.funnel.pipeline..",
    "dev.funnel.features..",
    "dev.funnel.retrieval..",
    "dev.funnel.ranking..",
    "dev.funnel.models..",
    "dev.funnel.metrics..",
    "dev.funnel.events..",
    "dev.funnel.config.."
  };

  // All of `data`, not only data.generate and data.movielens: the dataset records (data.Video …)
  // are the offline world's model; serving reads a model bundle, never a dataset (DESIGN.md §5).
  // `cli` wires serving and offline together, so serving must not reach it either.
  static final String[] OFFLINE = {
    "dev.funnel.train..", "dev.funnel.data..", "dev.funnel.quality..", "dev.funnel.cli.."
  };

  /** A known violation left out of both rules, and why. */
  record FrozenEdge(String origin, String target, String why) {
    boolean matches(Dependency d) {
      return within(d.getOriginClass(), origin) && within(d.getTargetClass(), target);
    }

    static boolean within(JavaClass c, String name) {
      String n = c.getName();
      return n.equals(name) || n.startsWith(name + '$');
    }
  }

  static final List<FrozenEdge> FROZEN =
      // Nothing frozen: the features <-> events cycle ended when EventApplier moved to features.
      List.of();

  static final ArchRule NO_PACKAGE_CYCLES = noPackageCycles(FROZEN);

  static final ArchRule SERVING_NEVER_REACHES_OFFLINE = servingNeverReachesOffline(FROZEN);

  /**
   * The funnel's layers, bottom up: features (profiles) → models (bundles, encoder, DJL models) →
   * the stages (retrieval, ranking) → models.serving (lifecycle, predictor pool) → pipeline → api,
   * app. A layer never names one above it, so a stage can be tested without the pipeline and the
   * pipeline without HTTP.
   */
  static final ArchRule FEATURES_AT_THE_BOTTOM =
      noClasses()
          .that()
          .resideInAPackage("dev.funnel.features..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.funnel.models..",
              "dev.funnel.retrieval..",
              "dev.funnel.ranking..",
              "dev.funnel.pipeline..",
              "dev.funnel.api..",
              "dev.funnel.app..")
          .because("profiles are read by every layer and read none of them");

  // "dev.funnel.models" without "..": the package itself; models.serving is the lifecycle layer.
  static final ArchRule MODELS_BELOW_STAGES =
      noClasses()
          .that()
          .resideInAPackage("dev.funnel.models")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.funnel.retrieval..",
              "dev.funnel.ranking..",
              "dev.funnel.models.serving..",
              "dev.funnel.pipeline..",
              "dev.funnel.api..",
              "dev.funnel.app..")
          .because("the models (also used by the trainer) know no serving stage");

  static final ArchRule STAGES_BELOW_LIFECYCLE =
      noClasses()
          .that()
          .resideInAnyPackage("dev.funnel.retrieval..", "dev.funnel.ranking..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.funnel.models.serving..",
              "dev.funnel.pipeline..",
              "dev.funnel.api..",
              "dev.funnel.app..")
          .because("the stages are used by the lifecycle and the pipeline, never the reverse");

  static final ArchRule PIPELINE_BELOW_HTTP =
      noClasses()
          .that()
          .resideInAPackage("dev.funnel.pipeline..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.funnel.api..", "dev.funnel.app..")
          .because("the pipeline is tested with fake stages and no HTTP");

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
          .importPackages("dev.funnel");

  static ArchRule noPackageCycles(List<FrozenEdge> frozen) {
    SliceRule rule = slices().matching("dev.funnel.(**)").should().beFreeOfCycles();
    for (FrozenEdge e : frozen) {
      rule =
          rule.ignoreDependency(
              describe(e.origin(), (JavaClass c) -> FrozenEdge.within(c, e.origin())),
              describe(e.target(), (JavaClass c) -> FrozenEdge.within(c, e.target())));
    }
    return rule;
  }

  static ArchRule servingNeverReachesOffline(List<FrozenEdge> frozen) {
    DescribedPredicate<Dependency> allowed =
        describe(
            "target outside " + String.join(", ", OFFLINE) + " (or a frozen edge)",
            (Dependency d) ->
                !resideInAnyPackage(OFFLINE).test(d.getTargetClass()) || frozen(frozen, d));
    return classes()
        .that()
        .resideInAnyPackage(SERVING)
        .should(onlyHaveDependenciesWhere(allowed))
        .because("serving loads model bundles; datasets, training and evaluation stay offline");
  }

  private static boolean frozen(List<FrozenEdge> frozen, Dependency d) {
    for (FrozenEdge e : frozen) {
      if (e.matches(d)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void packages_haveNoCycles() {
    NO_PACKAGE_CYCLES.check(MAIN);
  }

  @Test
  void layers_dependOnlyOnLayersBelow() {
    FEATURES_AT_THE_BOTTOM.check(MAIN);
    MODELS_BELOW_STAGES.check(MAIN);
    STAGES_BELOW_LIFECYCLE.check(MAIN);
    PIPELINE_BELOW_HTTP.check(MAIN);
  }

  @Test
  void servingPackages_neverDependOnOffline() {
    SERVING_NEVER_REACHES_OFFLINE.check(MAIN);
  }

  /** The rule sees bytecode: a serving class naming an offline class inline is caught. */
  @Test
  void servingRule_inlineQualifiedName_fails() {
    JavaClasses planted =
        new ClassFileImporter()
            .importClasses(dev.funnel.api.ArchitectureFixture.class, dev.funnel.data.Video.class);
    assertThrows(AssertionError.class, () -> SERVING_NEVER_REACHES_OFFLINE.check(planted));
  }

  /** Two planted classes in api and metrics that name each other form a package cycle. */
  @Test
  void cycleRule_plantedCycle_fails() {
    JavaClasses planted =
        new ClassFileImporter()
            .importClasses(
                dev.funnel.api.ArchitectureFixture.class,
                dev.funnel.metrics.ArchitectureFixture.class);
    assertThrows(AssertionError.class, () -> NO_PACKAGE_CYCLES.check(planted));
  }
}
