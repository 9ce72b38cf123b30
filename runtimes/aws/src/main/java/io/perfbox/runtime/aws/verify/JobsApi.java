package io.perfbox.runtime.aws.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** The deployed API as a customer reaches it: the calls the matrix makes. */
public interface JobsApi {
    /** POST /jobs with the Dockerfile: the job as accepted (202). */
    JsonNode submit(String dockerfile) throws IOException, InterruptedException;

    /** GET /jobs/{id}. */
    JsonNode job(String id) throws IOException, InterruptedException;

    /** POST /jobs/{id}/cancel: the job as it then is. */
    JsonNode cancel(String id) throws IOException, InterruptedException;
}
