-- Messages sent through the contact form (/kontakt, issue 15). Name and e-mail are optional and are
-- personal data: they are read by the administrators only (mail, database) and never shown publicly.
-- The limits mirror the form's, so no other path can store more.
CREATE TABLE feedback (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  name        text CHECK (char_length(name) <= 200),
  email       text CHECK (char_length(email) <= 254),
  message     text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 5000),
  -- The page the visitor came from, if the form was opened from one (a path of this site only).
  page        text CHECK (char_length(page) <= 500)
);
CREATE INDEX feedback_created_at_idx ON feedback (created_at);
