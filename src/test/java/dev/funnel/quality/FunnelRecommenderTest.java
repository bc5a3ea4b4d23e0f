package dev.funnel.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.features.UserProfile;
import dev.funnel.models.UserTower;
import dev.funnel.testing.TestWorld;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FunnelRecommenderTest {

  @Test
  void exampleAge_replayedRequest_isTheEndOfTrainingMinusTheRequestTime() {
    TestWorld w = TestWorld.get();
    long trainedTo = FunnelRecommender.trainedTo(w.bundle);
    assertTrue(trainedTo > 0, "the manifest records the end of training");
    Profiles profiles = new Profiles(w.data);
    try (FunnelRecommender f =
        new FunnelRecommender(w.bundle, profiles, new long[0], UserProfile.MAX_HISTORY, false)) {
      assertEquals(3_600f, f.exampleAge(trainedTo - 3_600));
      assertEquals(0f, f.exampleAge(trainedTo + 5), "never negative");
    }
  }

  @Test
  void userVector_exampleAge_reachesTheTower() {
    TestWorld w = TestWorld.get();
    UserProfile p = w.profiles.get(0);
    try (UserTower tower = w.bundle.newUserTower()) {
      float[] atServing = tower.userVector(p, 0L);
      float[] sameAgain = tower.userVector(p, 0L, 0f);
      float[] monthAgo = tower.userVector(p, 0L, 30 * 86_400f);
      assertTrue(Arrays.equals(atServing, sameAgain), "age 0 is serving");
      assertTrue(!Arrays.equals(atServing, monthAgo), "a replayed age changes the user vector");
      assertTrue(
          Arrays.equals(atServing, tower.userVector(p, 0L)), "the age does not stick to the tower");
    }
  }
}
