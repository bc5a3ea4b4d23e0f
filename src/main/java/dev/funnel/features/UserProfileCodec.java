package dev.funnel.features;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary form of a {@link UserProfile} as stored in one Redis value: a version byte, then
 * varint-length-prefixed UTF-8 strings and zig-zag varints, watch times as deltas. A typical
 * profile with 50 watches packs into roughly 600 bytes, so one GET fetches everything a request
 * needs. The user id is the key, not part of the value.
 */
public final class UserProfileCodec {
  static final byte VERSION = 1;

  private UserProfileCodec() {}

  public static byte[] encode(UserProfile p) {
    Out out = new Out(256 + 16 * p.history().size());
    out.buf.write(VERSION);
    out.string(p.geo());
    out.string(p.language());
    out.string(p.gender());
    out.varint(p.age());
    out.varint(p.history().size());
    long previous = 0;
    for (UserProfile.Watched w : p.history()) {
      out.string(w.video());
      out.varint(w.ts() - previous);
      previous = w.ts();
    }
    out.varint(p.searchTokens().size());
    for (String token : p.searchTokens()) {
      out.string(token);
    }
    out.varint(p.impressionCounts().size());
    for (Map.Entry<String, Integer> e : p.impressionCounts().entrySet()) {
      out.string(e.getKey());
      out.varint(e.getValue());
    }
    return out.buf.toByteArray();
  }

  /**
   * @throws IllegalArgumentException when the bytes are not a profile of a known version
   */
  public static UserProfile decode(String userId, byte[] bytes) {
    In in = new In(bytes);
    try {
      int version = in.bytes[in.pos++];
      if (version != VERSION) {
        throw new IllegalArgumentException("unknown profile version " + version);
      }
      String geo = in.string();
      String language = in.string();
      String gender = in.string();
      int age = (int) in.varint();
      int historySize = in.count(UserProfile.MAX_HISTORY);
      List<UserProfile.Watched> history = new ArrayList<>(historySize);
      long ts = 0;
      for (int i = 0; i < historySize; i++) {
        String video = in.string();
        ts += in.varint();
        history.add(new UserProfile.Watched(video, ts));
      }
      int tokenCount = in.count(UserProfile.MAX_SEARCH_TOKENS);
      List<String> tokens = new ArrayList<>(tokenCount);
      for (int i = 0; i < tokenCount; i++) {
        tokens.add(in.string());
      }
      int impressionCount = in.count(UserProfile.MAX_IMPRESSIONS);
      Map<String, Integer> impressions = new LinkedHashMap<>();
      for (int i = 0; i < impressionCount; i++) {
        impressions.put(in.string(), (int) in.varint());
      }
      if (in.pos != bytes.length) {
        throw new IllegalArgumentException("trailing bytes in profile");
      }
      return new UserProfile(userId, geo, language, gender, age, history, tokens, impressions);
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated profile", e);
    }
  }

  private static final class Out {
    final ByteArrayOutputStream buf;

    Out(int size) {
      buf = new ByteArrayOutputStream(size);
    }

    void varint(long value) {
      long v = (value << 1) ^ (value >> 63); // zig-zag: small negatives stay small
      while ((v & ~0x7FL) != 0) {
        buf.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      buf.write((int) v);
    }

    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length);
      buf.write(b, 0, b.length);
    }
  }

  private static final class In {
    final byte[] bytes;
    int pos;

    In(byte[] bytes) {
      this.bytes = bytes;
    }

    long varint() {
      long v = 0;
      int shift = 0;
      while (true) {
        byte b = bytes[pos++];
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          break;
        }
        shift += 7;
        if (shift > 63) {
          throw new IllegalArgumentException("varint too long");
        }
      }
      return (v >>> 1) ^ -(v & 1);
    }

    int count(int max) {
      long n = varint();
      if (n < 0 || n > max) {
        throw new IllegalArgumentException("count " + n + " out of range 0.." + max);
      }
      return (int) n;
    }

    String string() {
      long n = varint();
      if (n < 0 || n > bytes.length - pos) {
        throw new IllegalArgumentException("string length " + n + " out of range");
      }
      String s = new String(bytes, pos, (int) n, StandardCharsets.UTF_8);
      pos += (int) n;
      return s;
    }
  }
}
