package dev.funnel.data.generate;

import java.util.HashMap;
import java.util.Map;

/**
 * Fixed name tables of the synthetic world: 50 language codes (English first, as on YouTube), 200
 * country codes with the main language of their audience (largest audiences first), and a
 * pseudo-word for every token id.
 */
final class Names {
  private Names() {}

  static final String[] LANGUAGES = {
    "en", "es", "pt", "hi", "ja", "ko", "de", "fr", "ru", "ar",
    "id", "tr", "it", "vi", "th", "pl", "nl", "fa", "bn", "ur",
    "ta", "te", "mr", "uk", "ro", "el", "cs", "hu", "sv", "he",
    "ms", "tl", "sw", "da", "fi", "no", "sk", "bg", "hr", "sr",
    "lt", "lv", "et", "sl", "ca", "gu", "kn", "ml", "pa", "zh",
  };

  /** "GEO:language" pairs, largest audiences first; the generator samples them Zipf-like. */
  private static final String[] GEO_LANGUAGE = {
    "US:en", "IN:hi", "BR:pt", "ID:id", "MX:es", "JP:ja", "RU:ru", "DE:de",
    "GB:en", "PH:tl", "TR:tr", "VN:vi", "FR:fr", "KR:ko", "TH:th", "IT:it",
    "ES:es", "EG:ar", "PK:ur", "BD:bn", "CA:en", "AR:es", "CO:es", "PL:pl",
    "SA:ar", "NG:en", "UA:uk", "AU:en", "MY:ms", "NL:nl", "IR:fa", "PE:es",
    "CL:es", "ZA:en", "RO:ro", "TW:zh", "VE:es", "KE:sw", "SE:sv", "CZ:cs",
    "GR:el", "BE:nl", "PT:pt", "HU:hu", "IL:he", "AT:de", "CH:de", "DK:da",
    "FI:fi", "NO:no", "SK:sk", "BG:bg", "HR:hr", "RS:sr", "LT:lt", "LV:lv",
    "EE:et", "SI:sl", "AE:ar", "IE:en", "NZ:en", "SG:en", "HK:zh", "CN:zh",
    "MA:ar", "DZ:ar", "IQ:ar", "EC:es", "GT:es", "CU:es", "BO:es", "DO:es",
    "HN:es", "PY:es", "SV:es", "NI:es", "CR:es", "PA:es", "UY:es", "PR:es",
    "AF:en", "AL:ta", "AD:en", "AO:te", "AG:en", "AM:mr", "AZ:en", "BS:uk",
    "BH:en", "BB:ro", "BY:en", "BZ:el", "BJ:en", "BT:cs", "BA:en", "BW:hu",
    "BN:en", "BF:sv", "BI:en", "KH:he", "CM:en", "CV:ms", "CF:en", "TD:tl",
    "KM:en", "CG:sw", "CD:en", "CI:da", "CY:en", "DJ:fi", "DM:en", "GQ:no",
    "ER:en", "SZ:sk", "ET:en", "FJ:bg", "GA:en", "GM:hr", "GE:en", "GH:sr",
    "GD:en", "GN:lt", "GW:en", "GY:lv", "HT:en", "IS:et", "JM:en", "JO:sl",
    "KZ:en", "KI:ca", "KW:en", "KG:gu", "LA:en", "LB:kn", "LS:en", "LR:ml",
    "LY:en", "LI:pa", "LU:en", "MG:zh", "MW:en", "MV:ta", "ML:en", "MT:te",
    "MH:en", "MR:mr", "MU:en", "FM:uk", "MD:en", "MC:ro", "MN:en", "ME:el",
    "MZ:en", "MM:cs", "NA:en", "NR:hu", "NP:en", "NE:sv", "MK:en", "OM:he",
    "PW:en", "PG:ms", "QA:en", "RW:tl", "KN:en", "LC:sw", "VC:en", "WS:da",
    "SM:en", "ST:fi", "SN:en", "SC:no", "SL:en", "SB:sk", "SO:en", "SS:bg",
    "LK:en", "SD:hr", "SR:en", "SY:sr", "TJ:en", "TZ:lt", "TL:en", "TG:lv",
    "TO:en", "TT:et", "TN:en", "TM:sl", "TV:en", "UG:ca", "UZ:en", "VU:gu",
    "YE:en", "ZM:kn", "ZW:en", "GL:ml", "FO:en", "BM:pa", "KY:en", "AW:zh",
  };

  static final String[] GEOS = new String[GEO_LANGUAGE.length];

  /** Index into {@link #LANGUAGES} of each geo's main language. */
  static final int[] GEO_MAIN_LANGUAGE = new int[GEO_LANGUAGE.length];

  static {
    Map<String, Integer> lang = new HashMap<>();
    for (int i = 0; i < LANGUAGES.length; i++) {
      lang.put(LANGUAGES[i], i);
    }
    for (int i = 0; i < GEO_LANGUAGE.length; i++) {
      String[] parts = GEO_LANGUAGE[i].split(":");
      GEOS[i] = parts[0];
      GEO_MAIN_LANGUAGE[i] = lang.get(parts[1]);
    }
  }

  private static final String[] SYLLABLES = {
    "ba", "be", "bi", "bo", "da", "de", "di", "do", "fa", "fe", "fi", "fo", "ga", "ge", "gi", "go",
    "ka", "ke", "ki", "ko", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no",
    "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to",
    "va", "ve", "vi", "vo", "za", "ze", "zi", "zo", "ku", "lu", "mu", "nu", "ru", "su", "tu", "zu"
  };

  /**
   * The word of token id {@code i}: its digits in base 64, one syllable each, at least two. A
   * bijection, so distinct ids give distinct words.
   */
  static String word(int i) {
    StringBuilder sb = new StringBuilder(8);
    int n = i + SYLLABLES.length; // at least two digits
    while (n > 0) {
      sb.insert(0, SYLLABLES[n % SYLLABLES.length]);
      n /= SYLLABLES.length;
    }
    return sb.toString();
  }
}
