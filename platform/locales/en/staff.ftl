# The town hall staff back-office (/gestion).
staff-role-accueil = Front desk
staff-role-gestionnaire = Records manager
staff-role-regisseur = Cashier
staff-role-admin = Administrator
staff-role-invalid = Choose a role: front desk, records manager, cashier or administrator.
staff-invalid-credentials = Wrong e-mail address, password or code.
staff-throttled = Too many attempts. Try again in { $seconds } seconds.
staff-invalid-token = This activation link no longer works: it has been used already or it has expired (72 hours).
staff-invalid-code = This code is not the right one. Type the 6-digit code your app shows now.
staff-not-signed-in = You must be signed in to the back-office.
staff-forbidden = This action is reserved for the “{ $role }” role and higher roles.
staff-already-exists = A staff member already has this e-mail address.
staff-quotient-range = The quotient familial is a whole number between 0 and { $max }.
staff-quotient-number = The quotient familial is a whole number, without spaces or commas.
staff-password-refused = This password does not follow the rules.
staff-nav-home = Back-office home
staff-nav-families = Families
staff-nav-team = Team
staff-nav-sign-in = Staff sign-in
staff-info-signed-out = You are signed out of the back-office.
staff-info-invited = The invitation has been sent by e-mail.
staff-info-disabled = The account has been disabled; its sessions are closed.
staff-info-quotient = The quotient familial has been saved.
title-staff-sign-in = Back-office sign-in
title-staff-activation = Activate my staff account
title-staff-home = Back-office
title-staff-team = Team
title-staff-families = Families
staff-status-invited = Invited
staff-status-active = Active
staff-status-disabled = Disabled
staff-sign-in-intro = For town hall staff only. Signing in asks for your password and the code of your authenticator app.
staff-code-label = Verification code
staff-code-help = The 6-digit code of your app, or one of your recovery codes.
staff-activation-step1 = Step 1 of 2: choose your password.
staff-activation-step2 = Step 2 of 2: add the account to your authenticator app (for example FreeOTP or Google Authenticator) by scanning the QR code or typing the key, then type the code it shows.
staff-qr-label = QR code to scan with your authenticator app
staff-qr-caption = Scan this QR code with your app.
staff-secret-label = Key to type if you cannot scan:
staff-open-app = Open in this device's authenticator app
staff-code-totp-label = 6-digit code
staff-activation-done = Your account is active.
staff-recovery-title = Your recovery codes
staff-recovery-intro = Each code replaces the app's code once, should you lose it. Keep them somewhere safe: they will not be shown again.
staff-go-sign-in = Sign in
staff-activation-ask-again = Ask your town hall's administrator for a new invitation.
staff-home-hello = Hello { $name }, you are signed in with the “{ $role }” role.
staff-team-caption = The town hall's staff and their roles
staff-col-name = Name
staff-col-role = Role
staff-col-status = Status
staff-col-actions = Actions
staff-disable = Disable { $name }
staff-invite-title = Invite a staff member
staff-invite = Send the invitation
staff-search-label = Name, a child's first name, e-mail or phone
staff-search = Search
staff-search-results = { $n ->
    [0] No family found
    [one] 1 family found
   *[other] { $n } families found
}
staff-search-none = Check the spelling or search by phone or e-mail.
staff-family = { $name } family
staff-children = Children:
staff-guardians = Guardians
staff-children-title = Children
staff-signed-up = account created
staff-never-signed-in = never signed in
staff-quotient-title = Quotient familial
staff-quotient-current = Current quotient familial: { $value }
staff-quotient-none = No quotient familial recorded.
staff-quotient-label = Quotient familial
staff-quotient-from = Applies from
staff-save = Save
mail-staff-invitation-subject = Your staff account on the family portal
mail-staff-invitation-body = A staff account on the family portal of { $tenant } has been created for you, with the “{ $role }” role.
mail-staff-invitation-button = Activate my account
mail-staff-invitation-totp = The link works for 72 hours and only once. You will choose your password, then add the account to an authenticator app on your phone.
staff-read-section-medical = Child's record (medical information)
staff-read-section-document = Document
account-reads-title = Who viewed my data
account-reads-caption = Views of your data by town hall staff
account-reads-when = Date
account-reads-who = Staff member
account-reads-section = Data viewed
account-reads-none = No staff member has viewed your household's medical information or documents.
staff-record-title = { $name }'s record
staff-medical = Medical information
staff-doctor = Doctor
staff-allergies = Allergies
staff-pai = PAI (care plan)
staff-medical-notes = Medical notes
staff-diets = Diets
staff-contacts = Pick-up and emergency contacts
staff-validate = Validate the record
staff-unvalidate = Withdraw the validation
staff-info-validated = The record has been validated.
staff-info-unvalidated = The record's validation has been withdrawn.
staff-open-record = { $name }'s record
staff-nav-counts = Counts
title-staff-counts = Today's counts
title-staff-attendance = Attendance list
staff-counts-heading = Counts for { $date }
staff-counts-date = Day
staff-counts-show = Show
staff-counts-caption = Children booked on { $date }, per service
staff-counts-prestation = Service
staff-counts-booked = Booked / places
staff-counts-classes = Per school and class
staff-counts-list = Attendance list
staff-counts-open-list = List: { $name }
staff-attendance-heading = { $name } – { $date }
staff-attendance-csv = Download the list (CSV)
staff-attendance-caption = { $n ->
    [one] 1 child booked
   *[other] { $n } children booked
}
staff-attendance-present = Present
staff-csv-last-name = Last name
staff-csv-first-name = First name
staff-csv-school = School
staff-csv-class = Class
staff-home-follow = To follow up
staff-home-awaiting = { $n ->
    [0] No child's record awaiting validation
    [one] 1 child's record awaiting validation
   *[other] { $n } children's records awaiting validation
}
staff-home-never = { $n ->
    [0] Every guardian has signed in already
    [one] 1 guardian has never signed in
   *[other] { $n } guardians have never signed in
}
mail-family-invitation-subject = Your family portal of { $tenant }
mail-family-invitation-body = The town hall of { $tenant } invites you to use its family portal: bookings, invoices, your family's file, from your phone or your computer.
mail-family-invitation-login = Your login is your e-mail address: { $email }. Create your password with the button below.
mail-family-invitation-validity = This link works for 7 days. After that, use “First sign-in or forgotten password?” on the sign-in page.
staff-invite-family = Invite { $name } by e-mail
staff-invite-all = Invite by e-mail every guardian who never signed in
staff-info-invitations = { $sent ->
    [0] No invitation sent
    [one] 1 invitation sent
   *[other] { $sent } invitations sent
} ({ $skipped } not sent: already signed up, without e-mail or already invited today).
