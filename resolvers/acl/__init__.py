"""Access control as Magento names it: ACL resources, roles and admin users."""
