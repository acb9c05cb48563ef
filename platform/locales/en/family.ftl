field-edit = Edit { $label }
field-save = Save { $label }
field-cancel = Cancel
title-household = My household
household-consents = Consents
household-consent-decided = Choice saved on { $date }. You can withdraw it at any time.
household-consent-none = No choice yet.
household-consents-save = Save my choices
household-common = The household
household-address = Household address
insurances = Insurance
insurance-line = { $company }, policy { $number }, from { $from } to { $to }
insurance-none = No current insurance
criteria = Criteria
criteria-count = { $count ->
        [0] No criterion
        [one] 1 criterion
       *[other] { $count } criteria
    }
criteria-since = { $label } (since { $date })
criteria-note = Criteria are decided by the town hall. To report one, write to it from the messaging.
quotient = Family quotient
quotient-label = Family quotient:
quotient-unknown = not provided (the highest rate applies)
quotient-note = The family quotient is entered by the town hall. To update it, send your CAF certificate from <a href="/{ $slug }/documents">My documents</a>.
title-children = My children
child-age = { $age } years old
child-validated = Record validated
child-not-validated = Record not validated
children-none = No child is registered for your household. Contact the town hall to register one.
child-born = { $age } years old · date of birth: { $date }
child-validated-on = Record validated on { $date }
child-validate = Validate this record
child-validate-note = By validating, you certify that the record is up to date for the school year { $year }.
child-more = More details
child-structure = Facility { $name }
child-cursus = School and groups
child-cursus-year = School year { $year }:
child-no-visible-group = The child is currently in no visible group
child-diets-title = Special diets
child-diet = Diet: { $diets }
child-prestations = Services
child-enrolment = Enrolment:
child-no-enrolment = The child is not enrolled in any service this year
child-identity = Identity
child-last-name = Last name
child-first-name = First name
child-birth-date = Date of birth
child-birth-city = Place of birth
child-school = School
child-class = Class
child-diet-legend = Diet (only the child's needs are recorded)
child-medical = Medical information
child-doctor = Family doctor
child-doctor-phone = Doctor's phone
child-allergies = Allergies
child-pai = Individual care plan (PAI)
child-medical-notes = Notes for the staff
child-contacts = Pick-up and emergency contacts
child-contacts-count = Emergency: { $emergency ->
        [one] 1 contact
       *[other] { $emergency } contacts
    }  Pick-up: { $pickup ->
        [one] 1 contact
       *[other] { $pickup } contacts
    }
child-doctor-line = Family doctor: { $name }
contact-name = Name
contact-relation = Relationship to the child
contact-phone = Phone
contact-phone2 = Other phone
contact-can = This contact may
contact-pickup = pick the child up
contact-emergency = be called in an emergency
contact-delete = Delete { $name }
contact-add-title = Add a contact
contact-add = Add the contact
child-documents = Documents
child-documents-count = { $count ->
        [0] No document
        [one] 1 document
       *[other] { $count } documents
    }
child-authorizations = Authorisations
child-authorizations-count = { $count ->
        [0] No authorisation
        [one] 1 authorisation
       *[other] { $count } authorisations
    }
choice-decided = Choice saved on { $date }.
# "Mon foyer", built in Rust: categories, fields (by their key), consents.
household-category-etat-civil = Civil status
household-category-coordonnees = Contact details
household-category-informations = Personal information
household-category-responsabilites = Responsibilities
household-field-civility = Title
household-field-last_name = Last name
household-field-first_name = First name
household-field-birth_date = Date of birth
household-field-email = E-mail address (login)
household-field-phone = Phone
household-field-work_phone = Work phone
household-field-profession = Occupation
household-field-employer = Employer
household-field-relation = Relationship to the children
household-field-parental_authority = Parental authority
household-field-address = Address
household-field-postal_code = Postcode
household-field-city = Town
household-not-given = Not provided
household-email-note = Only this guardian can change their e-mail address, which is their login.
household-saved = The information has been updated
consent-informations_email = Receive the town hall's news by e-mail (menus, activities, reminders)
consent-rappels_sms = Receive a text message reminder before booking deadlines
consent-quotient_caf = Allow the town hall to look up my family quotient with the CAF
child-validated-info = The record is validated for the school year. Thank you!
child-no-diet = None
child-born-in = in { $city }
option-madame = Mrs
option-monsieur = Mr
option-mother = Mother
option-father = Father
option-guardian = Legal guardian
option-other = Other
household-email-note-own = To change your sign-in address: "My account", then "Change my e-mail address".
title-refused = Error: { $title }
form-error-item = { $label }: { $message }
form-refused = The information was not saved: correct the fields shown.
child-edit = Edit
child-save = Save
child-pai-answer = PAI: { $answer }
contact-saved = Contact saved
contact-added = Contact added
contact-deleted = Contact deleted
contact-none = No contact yet.
contact-pickup-yes = May collect the child
contact-emergency-yes = To call in an emergency
contact-edit-named = Edit { $name }
contact-save = Save the contact
contact-delete-confirm = Remove { $name } from the child's contacts?
contact-delete-yes = Yes, remove { $name }
contact-delete-no = No, keep this contact
child-authorization-none = No choice yet
