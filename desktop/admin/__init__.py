"""Office screens: Schedule and Trainers (admin and manager); Catalogue, Staff and Audit
(admin). Each talks to the service only through ``Backend.call`` names."""
