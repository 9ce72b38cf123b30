/**
 * A stand-in for the checkpoint package the Lambda Java runtime hands to org.crac: on Lambda the JVM starts with
 * {@code -Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac}, so resources registered through
 * {@code org.crac.Core.getGlobalContext()} land in the runtime's own context, which SnapStart calls around its
 * snapshot. The tests start their JVMs with {@code -Dorg.crac.Core.Compat=io.perfbox.aws.testing.crac} and call
 * {@link io.perfbox.runtime.aws.testing.crac.Core#checkpointRestore()} where SnapStart would take the snapshot. org.crac
 * reaches these classes by name, so their names and signatures are fixed.
 */
package io.perfbox.runtime.aws.testing.crac;
