package io.perfbox.adapter.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perfbox.core.port.JobStore.InvalidPageTokenException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The listing's page tokens: the last created_key of a page and a MAC over owner and key with a secret kept in the
 * database, so a token that was altered, belongs to another owner or comes from another database is rejected.
 */
final class PageTokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CREATED_KEY = Pattern.compile(
            "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{9}Z#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final byte[] tokenSecret;

    PageTokens(byte[] tokenSecret) {
        this.tokenSecret = tokenSecret.clone();
    }

    String encode(String owner, String createdKey) {
        ObjectNode token = JSON.createObjectNode();
        token.put("k", createdKey);
        token.put("m", Base64.getUrlEncoder().withoutPadding().encodeToString(mac(owner, createdKey)));
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(token));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The created_key to continue after; rejects tokens not issued by this database for this owner. */
    String decode(String token, String owner) {
        try {
            JsonNode node = JSON.readTree(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
            JsonNode k = node.get("k");
            JsonNode m = node.get("m");
            if (node.size() != 2 || k == null || !k.isTextual() || m == null || !m.isTextual()
                    || !CREATED_KEY.matcher(k.asText()).matches()) {
                throw new InvalidPageTokenException();
            }
            // The MAC covers owner and key; comparing the whole canonical token also refuses any other spelling.
            byte[] expected = encode(owner, k.asText()).getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8))) {
                throw new InvalidPageTokenException();
            }
            return k.asText();
        } catch (InvalidPageTokenException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidPageTokenException();
        }
    }

    private byte[] mac(String owner, String createdKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tokenSecret, "HmacSHA256"));
            mac.update(owner.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(createdKey.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
