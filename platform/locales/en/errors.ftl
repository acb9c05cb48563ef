# Errors: titles of the error page and messages of pages and of the API.
title-error-tenant-not-found = Portal not found
title-error-tenant-suspended = Portal under maintenance
title-error-not-found = Page not found
title-error-unavailable = Service temporarily unavailable
title-error-internal = An error occurred
title-error-form-expired = Form expired
error-tenant-not-found = No family portal matches this address. Check the address you received from your town hall.
error-tenant-suspended = The family portal is under maintenance. Your bookings and your data are kept. Please try again a little later.
error-not-found = The page you asked for does not exist or is no longer available.
error-unavailable = The service is temporarily unavailable. No data was lost. Please try again in a few minutes.
error-internal = An unexpected error occurred. No data was lost. Please try again.
error-form-expired = This form has expired or does not come from the portal. Go back to the previous page, reload it, then send the form again.
error-not-authenticated = You must be signed in.
error-method-not-allowed = This operation does not accept this HTTP method.
error-unsupported-media-type = The request body must be JSON (Content-Type: application/json).
error-payload-too-large = The request is too large.
error-bad-request = Invalid request: { $detail }
error-invalid-fields = Some information is not valid: correct the fields shown.
error-forbidden-origin = This request does not come from the family portal.
error-unsupported-locale = This language is not offered by the portal. Possible languages: { $locales }.
title-error-not-signed-in = Sign-in required
# Messages of the features' errors and field checks.
field-required = This field is required.
field-forbidden-chars = This field contains characters that are not allowed.
field-phone-required = The phone number is required.
field-phone-invalid = The phone number is not valid (example: 06 12 34 56 78).
field-postal-code = The postcode must have 5 digits.
field-email-invalid = The e-mail address is not valid (example: first.last@example.fr).
field-birth-future = The date of birth cannot be in the future.
field-date-invalid = The date is not valid (example: 07/07/2016).
field-too-long = This field is too long ({ $max } characters at most).
password-too-long = The password must not be longer than 128 characters.
password-too-weak = The password is too weak: use at least 12 characters with an upper-case letter, a lower-case letter, a digit and a special character, or 14 characters with an upper-case letter, a lower-case letter and a digit, or a sentence of at least 7 words.
password-contains-email = The password must not contain your e-mail address.
password-contains-name = The password must not contain the first or last name of a member of your household.
password-contains-city = The password must not contain the name of your town.
password-common = This password is among the most common ones: choose another.
auth-invalid-credentials = Incorrect e-mail address or password.
auth-invalid-token = This link is no longer valid: it has been used, it has expired (24 hours) or it is incomplete. Ask for a new link.
auth-wrong-current-password = The current password is incorrect.
auth-throttled = Too many sign-in attempts. For safety, please wait { $wait } before trying again, or use “First sign-in or forgotten password?”.
duration-seconds = { $n } seconds
duration-minutes = { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }
duration-hours = { $n ->
        [one] { $n } hour
       *[other] { $n } hours
    }
refusal-deadline = The deadline for this day has passed.
refusal-full = There are no places left that day.
refusal-closed = The service is closed that day.
refusal-holiday = No service that day (public holiday or school holidays).
refusal-school-period = This service only runs during school holidays.
refusal-not-running = This service does not run on this day of the week.
refusal-not-enrolled = The child is not enrolled in this service.
refusal-record = First validate the child's record for the school year.
refusal-no-calendar = The school calendar for this date is not published yet.
refusal-other = This booking is not possible.
book-invalid-date = The date must exist and be written YYYY-MM-DD, for example 2026-01-19.
book-invalid-week = The week must be an existing ISO week, for example 2026-W04.
document-unsupported = This type of file is not accepted: send a PDF document or a JPEG or PNG image.
document-not-multipart = The document is sent as multipart/form-data, with the fields name, description, person and file.
document-malformed = The upload was interrupted or is not a valid form. Please try again.
document-too-large = The file is too large: { $size } at most.
