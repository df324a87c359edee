//! Integration, contract and end-to-end tests of the s4e workspace live beside this file.
