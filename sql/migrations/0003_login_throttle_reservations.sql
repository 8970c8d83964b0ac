-- mfo schema 0003: login attempts are reserved before the password check.
--
-- `failures` now counts attempts *reserved* in the current window (checked,
-- in flight, or failed), so that N parallel guesses cost at most
-- login_max_failures password verifications per window whatever N is.
-- `reserved` numbers the reservations of the row (it only grows): a
-- successful login clears only the attempts reserved before its own, never
-- the ones counted after it (fcgi-app/auth/login_throttle.cpp).
ALTER TABLE login_throttle
    ADD COLUMN reserved BIGINT NOT NULL DEFAULT 0;
