/**
 * Fleet mode: the instances of one application share their blacklist through Redis, so that one instance's 403
 * stops every instance's traffic to that IP, and one instance re-probes it when its entry expires.
 */
package io.hotconnpool.fleet;
